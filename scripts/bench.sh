#!/usr/bin/env bash
# Benchmarks. Speed and memory targets are checked here, never by timed
# tests. Figures are recorded in BENCHMARKS.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> aosd over real HTTP (SQLite and PostgreSQL), storage"
go test ./internal/server/ ./internal/store/... -run '^$' -bench . -benchtime 2s -count 1
echo "==> terraform plan at scale: this provider vs terraform_data"
go run ./scripts/planbench "$@"
