#!/usr/bin/env bash
# The main job, end to end on a fresh machine with Go and Terraform:
#   1. build the provider and aosd,
#   2. start `aosd dev --auto-consent` on a free loopback port with a
#      temporary data dir,
#   3. terraform init through a filesystem mirror (no network),
#   4. terraform apply examples/quickstart,
#   5. terraform plan again, which must report no changes,
#   6. stop aosd and print what was created.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=0.1.0
NAMESPACE=aos-dev

command -v terraform >/dev/null || { echo "demo: terraform (>= 1.11) is not installed" >&2; exit 1; }
command -v go >/dev/null || { echo "demo: go is not installed" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aos-demo.XXXXXX")
AOSD_PID=
cleanup() {
  if [ -n "$AOSD_PID" ] && kill -0 "$AOSD_PID" 2>/dev/null; then
    kill "$AOSD_PID" && wait "$AOSD_PID" 2>/dev/null || true
    echo "==> aosd stopped"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> Building terraform-provider-aos and aosd"
PLUGIN_DIR="$WORK/mirror/registry.terraform.io/$NAMESPACE/aos/$VERSION/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$PLUGIN_DIR" "$WORK/bin"
go build -o "$PLUGIN_DIR/terraform-provider-aos_v$VERSION" -ldflags "-X main.version=$VERSION" .
go build -o "$WORK/bin/aosd" ./cmd/aosd

echo "==> Starting aosd dev (auto-consent: dev behaviour only)"
"$WORK/bin/aosd" dev --listen 127.0.0.1:0 --data-dir "$WORK/aosd" --auto-consent --log-level warn \
  >"$WORK/aosd.out" 2>"$WORK/aosd.log" &
AOSD_PID=$!
for _ in $(seq 1 100); do
  [ -s "$WORK/aosd/aos.env" ] && break
  kill -0 "$AOSD_PID" 2>/dev/null || { cat "$WORK/aosd.log" >&2; echo "demo: aosd exited" >&2; exit 1; }
  sleep 0.1
done
[ -s "$WORK/aosd/aos.env" ] || { echo "demo: aosd did not start within 10s" >&2; exit 1; }
set -a; . "$WORK/aosd/aos.env"; set +a
echo "    listening on $AOS_ENDPOINT"

cat >"$WORK/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$WORK/mirror"
    include = ["registry.terraform.io/$NAMESPACE/aos"]
  }
  direct {
    exclude = ["registry.terraform.io/$NAMESPACE/aos"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
# The dev directory's service account password (test data, see
# internal/directory/README.md).
export TF_VAR_service_account_password='Backup#Svc2024'

cp -r examples/quickstart "$WORK/quickstart"
cd "$WORK/quickstart"
echo "==> terraform init"
terraform init -input=false -no-color >/dev/null
echo "==> terraform apply"
terraform apply -input=false -auto-approve -no-color
echo "==> terraform plan (must report no changes)"
set +e
terraform plan -input=false -detailed-exitcode -no-color >"$WORK/plan.txt"
code=$?
set -e
if [ "$code" -ne 0 ]; then
  cat "$WORK/plan.txt"
  echo "demo: the second plan is not empty (exit $code)" >&2
  exit 1
fi
grep -q "No changes" "$WORK/plan.txt" && echo "    No changes. The infrastructure matches the configuration."
echo "==> Created"
terraform state list

echo "==> Demo complete"
