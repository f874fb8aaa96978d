// Starts s3rver (docs/adr/0048) on loopback with one key pair from the environment instead of its
// built-in S3RVER/S3RVER, so a wrong key is refused (InvalidAccessKeyId) and the secret is one the
// tests can look for. s3rver checks the access key and a pre-signed URL's expiry but never
// verifies a SigV4 signature: the tests verify every signature themselves with the secret.
// Usage: node s3rver.js <node_modules dir> <data dir> <port>; EGRESS_S3RVER_ACCESS_KEY and
// EGRESS_S3RVER_SECRET_KEY name the key pair. Prints "ready" once it listens.
'use strict';
const path = require('path');
const [modules, directory, port] = process.argv.slice(2);
const S3rver = require(path.join(modules, 's3rver'));
const AWSAccount = require(path.join(modules, 's3rver', 'lib', 'models', 'account'));

const accessKey = process.env.EGRESS_S3RVER_ACCESS_KEY;
const secretKey = process.env.EGRESS_S3RVER_SECRET_KEY;
if (!accessKey || !secretKey) {
  console.error('EGRESS_S3RVER_ACCESS_KEY and EGRESS_S3RVER_SECRET_KEY must be set');
  process.exit(2);
}
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true, vhostBuckets: false })
  .run()
  .then(() => console.log('ready'))
  .catch(err => {
    console.error(`s3rver did not start: ${err.message}`);
    process.exit(1);
  });
