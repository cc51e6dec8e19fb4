package azurite

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// TestAzurite installs Azurite if needed (.ci/run runs it before the
// suite for that), starts it, and creates, writes and reads a blob over
// TLS with the connection string.
func TestAzurite(t *testing.T) {
	s := Start(t)
	client := clientTrusting(t, s)
	ctx := context.Background()
	if _, err := client.CreateContainer(ctx, "box", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadBuffer(ctx, "box", "b", []byte("hello"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if n, err := client.DownloadBuffer(ctx, "box", "b", buf, nil); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
}

func clientTrusting(t *testing.T, s *Server) *azblob.Client {
	o := &azblob.ClientOptions{}
	o.Transport = s.HTTPClient
	c, err := azblob.NewClientFromConnectionString(s.ConnectionString, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
