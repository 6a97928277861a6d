// A real S3-compatible server for the tests (s3rver, from npm) in a process of its own, so that a
// test can kill it mid-read. Prints {"port": N} once it listens on 127.0.0.1.
//   node test/support/s3ServerProcess.ts DATA_DIR [BUCKET...]
import S3rver from '@20minutes/s3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
// s3rver checks signatures against `/bucket` where the SDK signs a bucket-level request's path
// as `/bucket/`: without this, every ListObjectsV2 would be refused. Its own virtual-host branch
// builds `/bucket` + mount path, so a mount path of `/` makes the two agree; signatures are still
// checked, which the credential tests rely on.
server.middleware.splice(server.middleware.length - 1, 0, async (context, next) => {
  if (/^\/[^/]+\/$/.test(context.path)) {
    context.state.vhost = true;
    context.mountPath = '/';
  }
  await next();
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
