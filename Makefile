# svman: `make run` supervises the default manifest, `make test` runs every test.
GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
VERSION     := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -X main.version=$(VERSION)
EXAMPLES    := ticker crasher webserver
PREFIX      ?= /usr/local

.PHONY: all build examples run test lint vet fmt-check bench bench-peers bench-micro test-soak clean install install-supervise

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/svman ./cmd/svman

examples:
	@mkdir -p bin
	@for e in $(EXAMPLES); do $(GO) build -o bin/$$e ./examples/$$e || exit 1; done

# Run svman in the foreground on the root supervise.hcl; Ctrl-C stops everything.
run: build examples
	./bin/svman up -f supervise.hcl

# Everything CI checks: formatting, vet, staticcheck, and every test under -race.
# NOMADCHECK is a module of its own (so that svman does not depend on Nomad),
# which ./... leaves out: each step runs in it too.
NOMADCHECK := export/nomad/apicheck

test: fmt-check vet lint
	$(GO) test -race -count=1 -timeout 9m ./...
	cd $(NOMADCHECK) && $(GO) test -race -count=1 ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd $(NOMADCHECK) && $(GO) vet ./...

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: $(STATICCHECK)
	$(STATICCHECK) ./...
	cd $(NOMADCHECK) && $(STATICCHECK) ./...

# The long soak: 200 modules crashing at random for a minute, then checks for
# zombies, leaked files and goroutines, and crashes missing from the logs.
test-soak:
	SVMAN_SOAK=60s $(GO) test -race -count=1 -timeout 15m -run 'TestSoak' -v ./engine

# Speed and memory against the peers (daemontools, runit, s6, supervisord, goreman,
# process-compose), measured side by side in one run and written as ratios to
# bench/results.md. Needs root (the kernel's process events time every exec);
# BENCHFLAGS passes options, e.g. BENCHFLAGS='-figures restart -kills 50'.
bench: build bench-peers
	$(GO) build -o bin/bench ./bench
	./bin/bench $(BENCHFLAGS)

# The peers, unpacked or built into bench/.peers; the machine itself is not touched.
bench-peers:
	sh bench/install-peers.sh bench/.peers

# svman's own micro-benchmarks (Go benchmarks of its hot paths).
bench-micro:
	$(GO) test -run '^$$' -bench ReloadLatency -benchtime 50x ./cmd/svman
	$(GO) test -run '^$$' -bench LogThroughput -benchtime 5x ./engine
	$(GO) test -run '^$$' -bench . ./logmux ./logfiles

# The binary, and the manual page it prints (made from the same table as svman help).
install: build
	./bin/svman help --man > bin/svman.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 bin/svman $(DESTDIR)$(PREFIX)/bin/svman
	install -m 0644 bin/svman.1 $(DESTDIR)$(PREFIX)/share/man/man1/svman.1

# svman under the legacy name: start scripts that call supervise keep working.
install-supervise: install
	ln -sf svman $(DESTDIR)$(PREFIX)/bin/supervise

clean:
	rm -rf bin status
