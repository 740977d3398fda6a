#!/bin/sh
# make demo: accord on the bundled example (fixtures/demo/). Validates the
# contract, shows two provider responses checked against it and a retry
# scenario with fault injection (fixtures/faults/retry.yaml), then serves
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

step "fault injection: the lookup fails twice, then succeeds (a retry test)" \
	"accord stub --faults fixtures/faults/retry.yaml $C"
$A stub --port 0 -q --faults fixtures/faults/retry.yaml "$C" >build/demo-stub.out &
SPID=$!
URL=
i=0
while [ -z "$URL" ] && [ $i -lt 100 ]; do
	sleep 0.05
	URL=$(sed -n 's/^listening on //p' build/demo-stub.out)
	i=$((i + 1))
done
for attempt in 1 2 3; do
	printf 'attempt %s: ' $attempt
	curl -s -o /dev/null -w '%{http_code}\n' -H 'Accept: application/json' \
		"$URL/products/BOO-0042"
done
kill $SPID 2>/dev/null
wait $SPID 2>/dev/null
rm -f build/demo-stub.out

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
Faults: restart with, e.g., --faults fixtures/faults/flaky.yaml, or add one now:
  curl -s -X POST http://127.0.0.1:$PORT/__accord/faults \\
       -H 'Content-Type: application/json' -d '{"name":"slow","latency":"500ms"}'

TEXT
exec $A stub --port "$PORT" -v "$C"
