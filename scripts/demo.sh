#!/bin/sh
# make demo: accord on the bundled example (fixtures/demo/). Validates the
# contract, shows two provider responses checked against it, then serves
# it with `accord stub` on a fixed port (DEMO_PORT, default 8080) until
# Ctrl-C, with curl commands to try.
set -u
A=build/accord
D=fixtures/demo
C=$D/shop-web-catalog-service.json
PORT=${DEMO_PORT:-8080}

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$B" "$1" "$N" "$2"; }

step "validate the contract" "accord validate $C"
$A validate "$C" || exit 1

step "a provider response that honours it" \
	"accord match --response --contract $C --interaction 'a request for a product' $D/response-ok.json"
$A match --response --contract "$C" --interaction "a request for a product" \
	"$D/response-ok.json"

step "one that breaks it" \
	"accord match --response --contract $C --interaction 'a request for a product' $D/response-broken.json"
$A match --response --contract "$C" --interaction "a request for a product" \
	"$D/response-broken.json"

cat <<TEXT

${B}== serving it: accord stub on http://127.0.0.1:$PORT (Ctrl-C stops)${N}
Try, in another terminal:
  curl -i http://127.0.0.1:$PORT/products/BOO-0042 -H 'Accept: application/json'
  curl -i 'http://127.0.0.1:$PORT/products?tag=books&tag=sale&limit=20'
  curl -i -X POST http://127.0.0.1:$PORT/reviews -H 'Content-Type: application/json' \\
       -d '{"rating":5,"sku":"BOO-0042","text":"Still the best."}'
  curl -i http://127.0.0.1:$PORT/products/NOPE-1        # unmatched: the nearest miss
  curl -s http://127.0.0.1:$PORT/__accord/requests     # the journal
  curl -s http://127.0.0.1:$PORT/__accord/metrics      # Prometheus metrics

TEXT
exec $A stub --port "$PORT" -v "$C"
