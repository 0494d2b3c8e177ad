#!/usr/bin/env bash
# CI check: synthesize the CDK app with non-default parameters, offline and without AWS credentials
# or Docker (the worker image is only hashed at synth). Fails on any synth error, and checks that
# the parameters reached the template. Usage: bash cdk/synth-check.sh   (from anywhere)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# Quiet and offline: no Node end-of-life banner, no CLI version check or notices fetch, no telemetry.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export CDK_DISABLE_VERSION_CHECK=true
export CDK_DISABLE_CLI_TELEMETRY=true
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# The CLI version is pinned by cdk/package-lock.json.
if [ ! -x cdk/node_modules/.bin/cdk ]; then
  npm ci --prefix cdk --no-audit --no-fund --loglevel=error
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

start=$(date +%s)
npx --prefix cdk cdk synth --no-notices --no-version-reporting --quiet \
  -o "$out" \
  -c sourceTables=chat-messages:roomId,orders:customer.id \
  -c targetShardCount=8 \
  -c workerCount=3 \
  -c cpu=512 -c memoryMiB=1024 \
  -c retentionHours=48 \
  -c logRetentionDays=14 \
  -c startPosition=LATEST \
  -c aggregation=Kpl
echo "synth took $(( $(date +%s) - start )) s"

template="$out/DynamoDbKinesisBridge.template.json"
node - "$template" <<'JS'
const t = require(require('path').resolve(process.argv[2]));
const of = type => Object.values(t.Resources).filter(r => r.Type === type);
const fail = msg => { console.error(`synth-check: ${msg}`); process.exit(1); };
const [stream] = of('AWS::Kinesis::Stream');
if (!stream || stream.Properties.ShardCount !== 8) fail('expected a Kinesis stream with 8 shards');
if (stream.Properties.RetentionPeriodHours !== 48) fail('expected 48 h stream retention');
const [service] = of('AWS::ECS::Service');
if (!service || service.Properties.DesiredCount !== 3) fail('expected 3 workers');
if (of('AWS::EC2::NatGateway').length !== 0) fail('expected no NAT gateway');
if (of('AWS::CloudWatch::Alarm').length !== 4) fail('expected 4 alarms');
const env = Object.values(t.Resources).filter(r => r.Type === 'AWS::ECS::TaskDefinition')
  .flatMap(r => r.Properties.ContainerDefinitions).flatMap(c => c.Environment || []);
if (!env.some(e => e.Name === 'Bridge__Target__Aggregation' && e.Value === 'Kpl')) fail('expected Bridge__Target__Aggregation=Kpl in the worker environment');
if (!t.Outputs || !t.Outputs.TargetStreamName || !t.Outputs.TargetStreamArn) fail('expected stream outputs');
console.log('synth-check: ok (8 shards, 3 workers, 4 alarms, no NAT gateway, KPL aggregation, stream outputs)');
JS

# Security review: cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs over the template just synthesized. Every
# finding is fixed or accepted in the template with a reason (cdk/nag/check.js fails otherwise).
if [ ! -d cdk/nag/node_modules/cdk-nag ]; then
  npm ci --prefix cdk/nag --no-audit --no-fund --loglevel=error
fi
start=$(date +%s)
node cdk/nag/check.js "$template" --enforce AwsSolutions,NIST
echo "cdk-nag took $(( $(date +%s) - start )) s"

# A bad parameter must fail synth with a clear message, not a stack trace.
if npx --prefix cdk cdk synth --no-notices --quiet -o "$out/bad" -c sourceTables=chat-messages:roomId -c targetShardCount=0 2>"$out/bad.err"; then
  echo "synth-check: targetShardCount=0 was accepted" >&2
  exit 1
fi
grep -q "targetShardCount" "$out/bad.err" || { echo "synth-check: unclear error for targetShardCount=0:" >&2; cat "$out/bad.err" >&2; exit 1; }
echo "synth-check: ok (targetShardCount=0 rejected)"
