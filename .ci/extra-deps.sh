#!/usr/bin/env bash
# Extra tools some tests need (server tests: python3 with boto3, the aws CLI).
set -euo pipefail
if ! python3 -c 'import boto3' 2>/dev/null || ! command -v aws >/dev/null; then
  echo "== installing python3-boto3 awscli"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-boto3 awscli >/dev/null || true
fi
