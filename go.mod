module github.com/signinq/signinq

go 1.26.0

require github.com/valyala/fastjson v1.6.10
