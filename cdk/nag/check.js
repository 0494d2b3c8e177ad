// Checks a synthesized CloudFormation template with cdk-nag rule packs.
//
// The bridge's CDK app is C#, pinned to an aws-cdk-lib that cdk-nag 3 does not support, so this script does not run
// inside it: it loads the template the app synthesized (cloudformation_include.CfnInclude) into a stack of its own
// and runs each pack over that (NagPack.validateScope). Suppressions live in the template, as each resource's
// Metadata `cdk_nag: { rules_to_suppress: [{ id, reason, applies_to? }] }` written by the C# construct, so the reason
// travels with the resource and a reviewer reads it in the deployed template.
//
// Fails (exit 1) on an unsuppressed error of an enforced pack, on a suppression without a real reason, and on a
// suppression of that pack that matches no finding (so stale reasons do not pile up). Warnings are counted, not fatal.
//
// Usage: node check.js TEMPLATE.json [--enforce AwsSolutions,NIST] [--report AwsSolutions,NIST] [--verbose]
//   --enforce  packs whose errors fail the check (default AwsSolutions)
//   --report   packs that are only listed (default NIST)
'use strict';
const path = require('path');
const { App, Stack, CfnResource, cloudformation_include: cfnInclude } = require('aws-cdk-lib');
const { AwsSolutionsChecks, NIST80053R5Checks } = require('cdk-nag');

const PACKS = {
  AwsSolutions: { make: () => new AwsSolutionsChecks(), prefix: 'AwsSolutions-' },
  NIST: { make: () => new NIST80053R5Checks(), prefix: 'NIST.800.53.R5-' },
};
const MIN_REASON = 20;

function parseArgs(argv) {
  const args = { template: undefined, enforce: ['AwsSolutions'], report: ['NIST'], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--enforce' || a === '--report') {
      args[a.slice(2)] = (argv[++i] || '').split(',').filter(Boolean);
    } else if (a === '--verbose') {
      args.verbose = true;
    } else if (!args.template) {
      args.template = a;
    } else {
      throw new Error(`unexpected argument ${a}`);
    }
  }
  if (!args.template) throw new Error('usage: node check.js TEMPLATE.json [--enforce AwsSolutions,NIST] [--report NIST] [--verbose]');
  for (const p of [...args.enforce, ...args.report]) {
    if (!PACKS[p]) throw new Error(`unknown pack ${p} (known: ${Object.keys(PACKS).join(', ')})`);
  }
  args.report = args.report.filter(p => !args.enforce.includes(p));
  return args;
}

// "AwsSolutions-IAM5[Resource::*]" -> { rule: "AwsSolutions-IAM5", finding: "Resource::*" }
function split(ruleName) {
  const m = /^([^[]+)(?:\[(.*)\])?$/.exec(ruleName);
  return { rule: m[1], finding: m[2] };
}

function suppressionsOf(resource) {
  const meta = resource.cfnOptions.metadata || {};
  return ((meta.cdk_nag || {}).rules_to_suppress || []);
}

// applies_to entries are findings as cdk-nag prints them, or "regex:PATTERN" for a family of them.
function matches(suppression, ruleName) {
  const { rule, finding } = split(ruleName);
  if (suppression.id !== rule) return false;
  if (!suppression.applies_to || finding === undefined) return true;
  return suppression.applies_to.some(a => a.startsWith('regex:') ? new RegExp(a.slice(6)).test(finding) : a === finding);
}

// Rules that look for a sibling construct in the CDK tree, which a loaded template no longer has: decided here from
// the template instead. The VPC's default security group is closed when CDK's Custom::VpcRestrictDefaultSG targets it.
const FROM_TEMPLATE = {
  VPCDefaultSecurityGroupClosed: (template, logicalId) => Object.values(template.Resources).some(r =>
    r.Type === 'Custom::VpcRestrictDefaultSG' && JSON.stringify(r.Properties.DefaultSecurityGroupId || '').includes(`"${logicalId}"`)),
};

function decidedByTemplate(template, ruleName, logicalId) {
  const rule = split(ruleName).rule.replace(/^[^-]+-/, '');
  const check = FROM_TEMPLATE[rule];
  return check !== undefined && check(template, logicalId);
}

function run(templateFile, packName) {
  const app = new App();
  const stack = new Stack(app, 'Template');
  const included = new cfnInclude.CfnInclude(stack, 'Include', { templateFile });
  const resources = new Map();
  for (const node of stack.node.findAll()) {
    if (node instanceof CfnResource) resources.set(node.node.path, node);
  }

  const template = JSON.parse(require('fs').readFileSync(templateFile, 'utf8'));
  const report = PACKS[packName].make().validateScope(stack);
  const findings = [];
  for (const violation of report.violations) {
    for (const where of violation.violatingResources) {
      const resource = resources.get(where.constructPath);
      const logicalId = resource ? stack.resolve(resource.logicalId) : where.constructPath;
      if (decidedByTemplate(template, violation.ruleName, logicalId)) continue;
      const suppression = resource ? suppressionsOf(resource).find(s => matches(s, violation.ruleName)) : undefined;
      findings.push({ rule: violation.ruleName, severity: violation.severity, description: violation.description, logicalId, resource, suppression });
    }
  }

  const problems = [];
  const prefix = PACKS[packName].prefix;
  for (const resource of resources.values()) {
    for (const s of suppressionsOf(resource)) {
      if (!s.id || typeof s.reason !== 'string' || s.reason.trim().length < MIN_REASON) {
        problems.push(`${stack.resolve(resource.logicalId)}: suppression of ${s.id} needs a reason of at least ${MIN_REASON} characters`);
      } else if (s.id.startsWith(prefix) && !findings.some(f => f.resource === resource && f.suppression === s)) {
        problems.push(`${stack.resolve(resource.logicalId)}: suppression of ${s.id} matches no finding; remove it`);
      }
    }
  }
  void included;
  return { findings, problems };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const templateFile = path.resolve(args.template);
  let failed = false;
  for (const packName of [...args.enforce, ...args.report]) {
    const enforced = args.enforce.includes(packName);
    const { findings, problems } = run(templateFile, packName);
    const open = findings.filter(f => !f.suppression);
    const errors = open.filter(f => f.severity === 'error');
    const warnings = open.filter(f => f.severity !== 'error');
    const suppressed = findings.filter(f => f.suppression);
    console.log(`cdk-nag ${packName}${enforced ? '' : ' (report only)'}: ${errors.length} errors, ${warnings.length} warnings, ${suppressed.length} suppressed with a reason`);
    for (const f of errors) console.log(`  ERROR   ${f.rule} on ${f.logicalId}: ${f.description}`);
    if (args.verbose) {
      for (const f of warnings) console.log(`  warning ${f.rule} on ${f.logicalId}: ${f.description}`);
      for (const f of suppressed) console.log(`  suppressed ${f.rule} on ${f.logicalId}: ${f.suppression.reason}`);
    }
    for (const p of problems) console.log(`  SUPPRESSION ${p}`);
    if (enforced && (errors.length > 0 || problems.length > 0)) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main();
