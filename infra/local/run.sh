#!/usr/bin/env bash
# Starts the service locally: DynamoDB Local (unless DYNAMODB_ENDPOINT is set) and the gateway,
# which loads a world and then serves the cloud APIs over HTTP in the foreground. Ctrl-C stops both.
#
# Usage: infra/local/run.sh [--port N] [--world FILE] [--lambda]
#   --port N      gateway port on 127.0.0.1 (default 18080)
#   --world FILE  world to load (default infra/worlds/reference.json)
#   --lambda      serve through the Lambda functions: cargo lambda watch, the gateway in proxy mode
# Environment: DYNAMODB_ENDPOINT=http://host:port to use a DynamoDB that is already running.

set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PORT=18080
WORLD="$REPO_ROOT/infra/worlds/reference.json"
LAMBDA=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#--port=}"; shift ;;
    --world) [[ $# -ge 2 ]] || die "--world needs a value"; WORLD="$2"; shift 2 ;;
    --world=*) WORLD="${1#--world=}"; shift ;;
    --lambda) LAMBDA=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number, got '$PORT'"
[[ -f "$WORLD" ]] || die "world file not found: $WORLD"
WORLD="$(cd "$(dirname "$WORLD")" && pwd)/$(basename "$WORLD")"

stop_on_exit

cd "$REPO_ROOT"
aws_local_env
mkdir -p "$RUN_DIR"

if [[ -n "${DYNAMODB_ENDPOINT:-}" ]]; then
  log "using DynamoDB at $DYNAMODB_ENDPOINT"
else
  ensure_java
  ensure_dynamodb_local
  DDB_PORT=8000
  if port_in_use "$DDB_PORT"; then
    DDB_PORT="$(free_port)"
  fi
  start_dynamodb_local "$DDB_PORT"
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
fi

ensure_venv

log "building the gateway and world binaries"
cargo build --quiet --bin gateway --bin world

if port_in_use "$PORT"; then
  die "port $PORT is already in use; pick another with --port N"
fi

# A first call with the official Alibaba SDK: an account key and a disk of the loaded world.
read -r AK SK DISK < <("$VENV_DIR/bin/python" - "$WORLD" <<'PY'
import json, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
accts = [a for a in w.get("accounts", []) if a.get("provider") == "alibaba"]
acct = next((a for a in accts if a["id"] == "acct-ali"), accts[0] if accts else None)
if acct is None:
    print("LTAI5tRefAlibaba0001 RefAlibabaSecret0001 d-ali-stopped-data")
    sys.exit(0)
disks = [d["id"] for d in w.get("disks", []) if d.get("account") == acct["id"]]
disk = "d-ali-stopped-data" if "d-ali-stopped-data" in disks else (disks[0] if disks else "d-ali-stopped-data")
cred = acct["credentials"][0]
print(cred["access_key_id"], cred["secret"], disk)
PY
)
# And with the official Tencent SDK: a Tencent account's key and a region of the world.
read -r TC_ID TC_KEY TC_REGION < <("$VENV_DIR/bin/python" - "$WORLD" <<'PY'
import json, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
accts = [a for a in w.get("accounts", []) if a.get("provider") == "tencent"]
acct = next((a for a in accts if a["id"] == "acct-tc"), accts[0] if accts else None)
regions = [r["id"] for r in w.get("regions", []) if r.get("provider") == "tencent"]
if acct is None:
    print("AKIDRefTencent00000000000000000001 RefTencentSecret00000000000000001 ap-guangzhou")
    sys.exit(0)
cred = acct["credentials"][0]
print(cred["access_key_id"], cred["secret"], "ap-guangzhou" if "ap-guangzhou" in regions else (regions or ["ap-guangzhou"])[0])
PY
)
# And with the official Zenlayer SDK: a Zenlayer account's key.
read -r ZL_ID ZL_KEY < <("$VENV_DIR/bin/python" - "$WORLD" <<'PY'
import json, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
accts = [a for a in w.get("accounts", []) if a.get("provider") == "zenlayer"]
acct = next((a for a in accts if a["id"] == "acct-zl"), accts[0] if accts else None)
cred = acct["credentials"][0] if acct else {"access_key_id": "ZLRefZenlayer0001", "secret": "RefZenlayerSecret0001"}
print(cred["access_key_id"], cred["secret"])
PY
)

cat <<MSG

Gateway endpoint: http://127.0.0.1:$PORT   (DynamoDB: $DYNAMODB_ENDPOINT, world: $WORLD)

A first call, CreateSnapshot with the official Alibaba SDK (paste into another shell):

$VENV_DIR/bin/python - <<'PY'
from alibabacloud_ecs20140526.client import Client
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.models import Config

client = Client(Config(access_key_id="$AK", access_key_secret="$SK",
                       endpoint="127.0.0.1:$PORT", protocol="http", region_id="cn-hangzhou"))
resp = client.create_snapshot(models.CreateSnapshotRequest(disk_id="$DISK", snapshot_name="first-snapshot"))
print(resp.status_code, resp.body.to_map())
PY

Or DescribeImages with the official Tencent SDK (TC3 signing; signMethod="HmacSHA256" works too):

$VENV_DIR/bin/python - <<'PY'
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models

profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:$PORT"))
client = cvm_client.CvmClient(credential.Credential("$TC_ID", "$TC_KEY"), "$TC_REGION", profile)
print(client.DescribeImages(models.DescribeImagesRequest()).to_json_string())
PY

Or DescribeImages with the official Zenlayer SDK (ZC2-HMAC-SHA256):

$VENV_DIR/bin/python - <<'PY'
from zenlayercloud.common.config import Config
from zenlayercloud.common.credential import Credential
from zenlayercloud.zec.v20250901 import zec_client, models

client = zec_client.ZecClient(Credential("$ZL_ID", "$ZL_KEY"), Config(scheme="http", domain="127.0.0.1:$PORT"))
print(client.DescribeImages(models.DescribeImagesRequest()).totalCount)
PY

HTTPS on the same port: https://127.0.0.1:$PORT (and https://localhost:$PORT), with a certificate of the
local CA in $CACHE_DIR/tls/ca.pem (made on first start, kept; also served at /_emulator/ca.pem).
What each client needs to trust it:
  curl                      curl --cacert $CACHE_DIR/tls/ca.pem https://127.0.0.1:$PORT/_emulator/health
  Alibaba tea SDK (Python)  SSL_CERT_FILE=$CACHE_DIR/tls/ca.pem, and protocol="https"
  Tencent SDK (Python)      HttpProfile(protocol="https", certification="$CACHE_DIR/tls/ca.pem")
  Zenlayer SDK (Python)     Config(scheme="https", certification="$CACHE_DIR/tls/ca.pem")
  requests, boto-style      REQUESTS_CA_BUNDLE=$CACHE_DIR/tls/ca.pem
  Node.js                   NODE_EXTRA_CA_CERTS=$CACHE_DIR/tls/ca.pem
  tccli                     verifies against its certifi bundle only (no variable reaches it); add the CA:
                            cat $CACHE_DIR/tls/ca.pem >> "\$(python -m certifi)"   # with tccli's python
                            then: tccli cvm DescribeImages --endpoint 127.0.0.1:$PORT --region $TC_REGION \\
                                    --secretId $TC_ID --secretKey $TC_KEY

The control plane (on locally; the dashboard: http://127.0.0.1:$PORT/_emulator/):
  curl -s http://127.0.0.1:$PORT/_emulator/health
  curl -s 'http://127.0.0.1:$PORT/_emulator/state?account=acct-ali&kind=snapshots'
  curl -s -X POST http://127.0.0.1:$PORT/_emulator/clock -H 'content-type: application/json' -d '{"advance": "36h"}'   # fires the hours passed
  curl -s -X POST http://127.0.0.1:$PORT/_emulator/clock -H 'content-type: application/json' -d '{"real": true}'
  curl -s -X POST http://127.0.0.1:$PORT/_emulator/scheduler                       # fire the current hour now
  curl -s -X POST http://127.0.0.1:$PORT/_emulator/faults -H 'content-type: application/json' \
       -d '{"dialect": "tencent", "action": "CreateImage", "code": "InternalError", "count": 1}'
  curl -s -X DELETE http://127.0.0.1:$PORT/_emulator/faults
  curl -s http://127.0.0.1:$PORT/_emulator/requests
  curl -s -X POST http://127.0.0.1:$PORT/_emulator/reset     # reload $WORLD, real time, no faults
The snapshot scheduler fires at the top of every hour, as EventBridge does in a deployment.

MSG

TABLE="${TABLE_NAME:-cloud-images}"
if [[ -n "$LAMBDA" ]]; then
  ensure_tools
  cargo build --quiet --bins
  WATCH_PORT=9000
  if port_in_use "$WATCH_PORT"; then
    WATCH_PORT="$(free_port)"
  fi
  start_lambda_watch "$WATCH_PORT" "$TABLE"
  log "functions at http://127.0.0.1:$WATCH_PORT/lambda-url/<function>/ (log: $RUN_DIR/watch-$WATCH_PORT.log)"
  log "starting the gateway in proxy mode on 127.0.0.1:$PORT (Ctrl-C to stop)"
  "$REPO_ROOT/target/debug/gateway" --port "$PORT" --table "$TABLE" --world "$WORLD" --control-plane \
    --scheduler-every 3600 --tls-dir "$CACHE_DIR/tls" --proxy "http://127.0.0.1:$WATCH_PORT" &
else
  log "starting the gateway on 127.0.0.1:$PORT (Ctrl-C to stop)"
  "$REPO_ROOT/target/debug/gateway" --port "$PORT" --table "$TABLE" --world "$WORLD" --control-plane \
    --scheduler-every 3600 --tls-dir "$CACHE_DIR/tls" &
fi
# In the background and waited for, so that a signal to this script stops everything at once.
STOP_PIDS+=("$!")
wait "$!"
