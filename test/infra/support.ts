/**
 * Builds the CDK app the way `cdk synth` does (bin/app.ts, cdk.json context), but with esbuild
 * bundling skipped (`aws:cdk:bundling-stacks: []`) so template tests need no bundles and no Docker.
 * The built-in CloudFormation validation costs ~10 s of CPU per synth, so template tests turn it
 * off; nag.test.ts runs one full synth with it on.
 */
import 'aws-cdk-lib/testhelpers/jest-autoclean';
import path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../bin/app';
import cdkJson from '../../cdk.json';
import type { IntakeStack } from '../../lib/intake-stack';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TEST_CA_FILE = path.join(__dirname, 'fixtures', 'onprem-ca.pem');

export interface Built {
  readonly app: App;
  readonly stack: IntakeStack;
  readonly template: Template;
}

export function build(context: Record<string, unknown> = {}, options: { validation?: boolean } = {}): Built {
  const previous = process.env.CDK_VALIDATION;
  if (!options.validation) process.env.CDK_VALIDATION = 'false';
  try {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
    const { stack } = buildApp(app);
    const template = options.validation
      ? Template.fromJSON(app.synth().getStackByName(stack.stackName).template)
      : Template.fromStack(stack);
    return { app, stack, template };
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

/** The logical id of an L2 construct's main resource. */
export function logicalId(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resources(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Every `{ Ref }` / `{ Fn::GetAtt }` logical id mentioned anywhere in `value`. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Ref' && typeof inner === 'string') ids.add(inner);
        else if (k === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') ids.add(inner[0]);
        else walk(inner);
      }
    }
  };
  walk(value);
  return ids;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
