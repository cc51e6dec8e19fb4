package localcluster

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Name is the cluster's name in remote_servers.
const Name = "signinq"

// Options are what a cluster asks of its clients. The zero value is a
// cluster without password or TLS.
type Options struct {
	// Password is the password of the user "default" (the shards use it
	// among themselves too); "" for none.
	Password string
	// CertFile and KeyFile, when set, are PEM files of a certificate and
	// its key that the servers present on a second, TLS, native port
	// (Cluster.SecurePorts).
	CertFile, KeyFile string
}

// Cluster is a running two-shard cluster.
type Cluster struct {
	Ports       [2]int // the servers' native-protocol ports on 127.0.0.1
	SecurePorts [2]int // their TLS native ports, when Options asked for TLS
	cmds        [2]*exec.Cmd
	logs        [2]*os.File
	dirs        [2]string
}

// Addr returns the native-protocol address of shard i.
func (c *Cluster) Addr(i int) string { return "127.0.0.1:" + strconv.Itoa(c.Ports[i]) }

// SecureAddr returns the TLS native-protocol address of shard i, when
// the cluster was started with a certificate.
func (c *Cluster) SecureAddr(i int) string { return "127.0.0.1:" + strconv.Itoa(c.SecurePorts[i]) }

// Binary returns the path of clickhouse-server, or an error saying how to
// install it.
func Binary() (string, error) {
	for _, p := range []string{"clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("clickhouse-server not found: install it as .ci/run does (apt-get install -y clickhouse-server clickhouse-client)")
}

// Start starts the cluster with its servers' directories dir/shard0 and
// dir/shard1 (made when absent; the data a cluster left there is found
// again) and waits until both servers answer, at most until ctx ends. The
// caller stops it with Close.
func Start(ctx context.Context, dir string) (*Cluster, error) {
	return StartWith(ctx, dir, Options{})
}

// StartWith is Start with the password and TLS opts say.
func StartWith(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	var ports [8]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	c := &Cluster{Ports: [2]int{ports[0], ports[1]}}
	if opts.CertFile != "" {
		c.SecurePorts = [2]int{ports[6], ports[7]}
	}
	for i := range 2 {
		sdir := filepath.Join(dir, "shard"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			c.Close()
			return nil, err
		}
		c.dirs[i] = sdir
		shards := c.Ports
		if opts.CertFile != "" {
			shards = c.SecurePorts // the shards speak TLS among themselves too
		}
		cfg := config(sdir, c.Ports[i], ports[2+i], ports[4+i], c.SecurePorts[i], shards, opts)
		if err := os.WriteFile(filepath.Join(sdir, "config.xml"), []byte(cfg), 0o644); err != nil {
			c.Close()
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(sdir, "users.xml"), []byte(users(opts.Password)), 0o644); err != nil {
			c.Close()
			return nil, err
		}
		cmd := exec.Command(bin, "--config-file="+filepath.Join(sdir, "config.xml"))
		cmd.Dir = sdir
		logf, err := os.Create(filepath.Join(sdir, "stdout.log"))
		if err != nil {
			c.Close()
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		dieWithParent(cmd)
		if err := cmd.Start(); err != nil {
			logf.Close()
			c.Close()
			return nil, fmt.Errorf("starting %s: %w", bin, err)
		}
		c.cmds[i], c.logs[i] = cmd, logf
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for i := range 2 {
		if err := waitPort(wctx, c.Addr(i)); err != nil {
			log, _ := os.ReadFile(filepath.Join(c.dirs[i], "log", "err.log"))
			c.Close()
			return nil, fmt.Errorf("clickhouse-server %d on port %d did not start: %w\n%s", i, c.Ports[i], err, tail(log, 3000))
		}
	}
	return c, nil
}

// Close stops the servers and waits for them to exit; their directories
// stay.
func (c *Cluster) Close() {
	for i, cmd := range c.cmds {
		if cmd == nil {
			continue
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		c.logs[i].Close()
		c.cmds[i] = nil
	}
}

// StartTest starts a cluster in a temporary directory of the test and
// stops it when the test ends; it fails the test when it cannot.
func StartTest(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// waitPort waits until addr accepts connections.
func waitPort(ctx context.Context, addr string) error {
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// config is a server's config.xml, in the format of 18.16 (root <yandex>)
// that current releases still read.
func config(dir string, tcp, http, inter, secure int, shards [2]int, opts Options) string {
	var tls, auth string
	if secure != 0 {
		tls = fmt.Sprintf(`
    <tcp_port_secure>%d</tcp_port_secure>
    <openSSL><server><certificateFile>%s</certificateFile><privateKeyFile>%s</privateKeyFile><verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile><cacheSessions>true</cacheSessions><disableProtocols>sslv2,sslv3</disableProtocols><preferServerCiphers>true</preferServerCiphers></server>
        <client><loadDefaultCAFile>false</loadDefaultCAFile><caConfig>%[2]s</caConfig><verificationMode>strict</verificationMode><cacheSessions>true</cacheSessions><disableProtocols>sslv2,sslv3</disableProtocols><invalidCertificateHandler><name>RejectCertificateHandler</name></invalidCertificateHandler></client></openSSL>`, secure, xmlText(opts.CertFile), xmlText(opts.KeyFile))
		auth += "<secure>1</secure>"
	}
	if opts.Password != "" {
		auth += "<user>default</user><password>" + xmlText(opts.Password) + "</password>"
	}
	return fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>%[1]s/log/server.log</log><errorlog>%[1]s/log/err.log</errorlog><size>10M</size><count>1</count></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>%[2]d</tcp_port>
    <http_port>%[3]d</http_port>
    <interserver_http_port>%[4]d</interserver_http_port>
    <path>%[1]s/data/</path>
    <tmp_path>%[1]s/tmp/</tmp_path>
    <user_files_path>%[1]s/user_files/</user_files_path>
    <format_schema_path>%[1]s/format_schemas/</format_schema_path>
    <users_config>%[1]s/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mlock_executable>false</mlock_executable>%[8]s
    <remote_servers>
        <%[5]s>
            <shard><replica><host>127.0.0.1</host><port>%[6]d</port>%[9]s</replica></shard>
            <shard><replica><host>127.0.0.1</host><port>%[7]d</port>%[9]s</replica></shard>
        </%[5]s>
    </remote_servers>
</yandex>
`, dir, tcp, http, inter, Name, shards[0], shards[1], tls, auth)
}

// xmlText escapes s for an XML element's text.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// users is the servers' users.xml: the user default, with password.
func users(password string) string {
	return `<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>2000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
    <users><default><password>` + xmlText(password) + `</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`
}
