/** CDK app entry (`cdk synth`, `cdk deploy`): options come from context, see README "Configuration". */
import { buildApp } from '../lib/build-app.js';

buildApp().app.synth();
