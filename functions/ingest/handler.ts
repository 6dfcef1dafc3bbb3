// Ingest Lambda: SQS batches of EventBridge events → normalize → DynamoDB → playbook dispatch.
// (Implementation in progress.)
export const handler = async (): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => ({
  batchItemFailures: [],
});
