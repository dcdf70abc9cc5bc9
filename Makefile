# SPDX-License-Identifier: Apache-2.0
# wif — make demo (build and show a key -> jwks -> token pipeline), make test (every test).
SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man
TOOLS = wif-mint wif-verify wif-inspect
DEB_PACKAGES = libssl-dev libargon2-dev pkg-config mandoc
PY_MODULES = joserfc cryptography pytest
SWIFT ?= swift
RELEASE_FLAGS = -c release --static-swift-stdlib
DEBUG_BIN = .build/debug
RELEASE_BIN = .build/release

.PHONY: all deps py-deps build release demo test unit-test cli-test man-test install uninstall bench clean

all: release

# Debian packages: installed when run as root, otherwise the exact command is printed and make stops (exit 2).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 2; \
	  else \
	    echo "wif needs Debian packages:$$missing" >&2; \
	    echo "run: sudo apt-get install -y$$missing" >&2; exit 2; \
	  fi; \
	fi

py-deps:
	@missing=""; for m in $(PY_MODULES); do python3 -c "import $$m" 2>/dev/null || missing="$$missing $$m"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing python modules:$$missing"; \
	  python3 -m pip install -q $$missing || { echo "run: python3 -m pip install$$missing" >&2; exit 2; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

demo: release
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; B=$(RELEASE_BIN); \
	echo "# wif-mint key --alg ES256 --kid demo-1 --out \$$d/signing.jwk"; \
	$$B/wif-mint key --alg ES256 --kid demo-1 --out $$d/signing.jwk; \
	echo "# wif-mint jwks \$$d/signing.jwk"; \
	$$B/wif-mint jwks $$d/signing.jwk | tee $$d/jwks.json; \
	echo "# wif-mint token --key \$$d/signing.jwk --iss https://ci.example --sub spiffe://example.org/ci/job --aud https://as.example/token"; \
	$$B/wif-mint token --key $$d/signing.jwk --iss https://ci.example --sub spiffe://example.org/ci/job \
	  --aud https://as.example/token | tee $$d/token.jwt; \
	if [ -x $$B/wif-verify ]; then \
	  echo "# wif-verify --jwks \$$d/jwks.json --iss https://ci.example --aud https://as.example/token \$$d/token.jwt"; \
	  $$B/wif-verify --jwks $$d/jwks.json --iss https://ci.example --aud https://as.example/token - < $$d/token.jwt; \
	fi

unit-test: deps
	$(SWIFT) build --build-tests
	WIF_BIN_DIR=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test --skip-build

cli-test: deps py-deps
	WIF_BIN_DIR=$(CURDIR)/$(DEBUG_BIN) python3 -m pytest -q Tests/interop

man-test: deps
	mandoc -Tlint -W warning man/*.[17]

test: unit-test cli-test man-test

install: release
	install -d $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man7
	for t in $(TOOLS); do [ -x $(RELEASE_BIN)/$$t ] && install -m 0755 $(RELEASE_BIN)/$$t $(BINDIR)/$$t; done; true
	for m in man/*.1; do install -m 0644 $$m $(MANDIR)/man1/; done
	for m in man/*.7; do [ -f $$m ] && install -m 0644 $$m $(MANDIR)/man7/; done; true

uninstall:
	for t in $(TOOLS); do rm -f $(BINDIR)/$$t; done
	for m in man/*.1; do rm -f $(MANDIR)/man1/$$(basename $$m); done
	for m in man/*.7; do rm -f $(MANDIR)/man7/$$(basename $$m); done

bench: release py-deps
	bash bench/run.sh

clean:
	rm -rf .build
