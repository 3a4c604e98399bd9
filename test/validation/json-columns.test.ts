import { callerMetadataSchema } from '../../src/validation/json-columns';

describe("callerMetadataSchema: the caller's metadata, at most 64 KiB as JSON", () => {
  // {"k":"…"} is 8 characters besides the value.
  const metadataOf = (jsonLength: number) => ({ k: 'x'.repeat(jsonLength - 8) });

  it('accepts metadata of exactly 64 KiB and refuses one character more', () => {
    expect(JSON.stringify(metadataOf(64 * 1024))).toHaveLength(64 * 1024);
    expect(callerMetadataSchema.safeParse(metadataOf(64 * 1024)).success).toBe(true);
    const over = callerMetadataSchema.safeParse(metadataOf(64 * 1024 + 1));
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe('metadata must serialise to at most 64 KiB');
  });
});
