/**
 * CDK entry point: `npx cdk synth|deploy -c stage=<dev|staging|prod>` (default dev, from cdk.json).
 * One stack per invocation, so a prod deploy can never touch dev and vice versa.
 */
import { App } from 'aws-cdk-lib';
import { stageConfig } from './config/stages';
import { addStage } from './stacks/stage-app';

const app = new App();
const stage: unknown = app.node.tryGetContext('stage');
addStage(app, stageConfig(typeof stage === 'string' ? stage : undefined));
app.synth();
