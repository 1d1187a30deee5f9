/** Archive a whole phase to S3 (Glacier after the lifecycle rule) as one verified tar.gz. */

import { S3Target } from '@sat/archive-s3';
import { archivePhase, loadConfig } from '@sat/core';

const config = loadConfig();
const target = new S3Target({ bucket: 'my-sat-archive', clientConfig: { region: 'eu-west-1' } });
const result = await archivePhase(config, target, '1');
console.log(result);
