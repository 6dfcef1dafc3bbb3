/**
 * The bucket the S3 action tests work on, and the Block Public Access settings they compare:
 * all four on (what containment sets) and a partial block (what a bucket may have had before).
 *
 * @example
 * s3.on(GetPublicAccessBlockCommand, REF).resolves({ PublicAccessBlockConfiguration: PARTIAL });
 */
export const ACCOUNT = '111122223333';
export const BUCKET = 'payments-exports';
/** The bucket and its expected owner, as every call names them. */
export const REF = { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT };
/** Where containment saves the bucket's block before changing it. */
export const STATE_KEY = `s3-bucket-public-access-block:${BUCKET}`;
export const ALL_TRUE = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
export const PARTIAL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};
