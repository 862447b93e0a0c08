import { MalformedEventError, parseS3Notification, s3NotificationBody } from '../../functions/shared/s3-events';

const record = (overrides: Record<string, unknown> = {}, object: Record<string, unknown> = {}) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  eventName: 'ObjectCreated:Post',
  s3: {
    bucket: { name: 'quarantine-bucket', arn: 'arn:aws:s3:::quarantine-bucket' },
    object: { key: 'uploads/P0123456789AB/photo/uAbCdEfGh12345678', size: 1234, versionId: 'v1', eTag: 'e', ...object },
  },
  ...overrides,
});

const body = (...records: unknown[]) => JSON.stringify({ Records: records });

describe('parseS3Notification', () => {
  it('returns the created objects of an SQS body', () => {
    expect(parseS3Notification(body(record(), record({ eventName: 'ObjectCreated:Put' }, { key: 'b', size: 0 })))).toEqual([
      { bucket: 'quarantine-bucket', key: 'uploads/P0123456789AB/photo/uAbCdEfGh12345678', size: 1234, versionId: 'v1' },
      { bucket: 'quarantine-bucket', key: 'b', size: 0, versionId: 'v1' },
    ]);
  });

  it.each([
    ['+ as a space', 'my+photo.jpg', 'my photo.jpg'],
    ['%2F as a slash', 'uploads%2FP0123456789AB%2Fphoto', 'uploads/P0123456789AB/photo'],
    ['%2B as a plus', 'a%2Bb', 'a+b'],
    ['UTF-8 escapes', '%E8%AD%B7%E7%85%A7.jpg', '護照.jpg'],
    ['all of them together', 'dir%2Fmy+file%2B1.jpg', 'dir/my file+1.jpg'],
  ])('decodes URL-encoded keys: %s', (_name, encoded, decoded) => {
    const [created] = parseS3Notification(body(record({}, { key: encoded })));
    expect(created?.key).toBe(decoded);
  });

  it('leaves size and version undefined when S3 omits them', () => {
    const [created] = parseS3Notification(body(record({}, { size: undefined, versionId: undefined })));
    expect(created).toEqual({
      bucket: 'quarantine-bucket',
      key: 'uploads/P0123456789AB/photo/uAbCdEfGh12345678',
      size: undefined,
      versionId: undefined,
    });
  });

  it('returns [] for S3’s test event', () => {
    const testEvent = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-05-16T10:00:00.000Z',
      Bucket: 'quarantine-bucket',
    };
    expect(parseS3Notification(JSON.stringify(testEvent))).toEqual([]);
  });

  it('returns [] for an empty Records array', () => {
    expect(parseS3Notification(body())).toEqual([]);
  });

  it.each([
    ['a non-JSON body', 'not json'],
    ['an empty body', ''],
    ['JSON null', 'null'],
    ['a JSON string', '"Records"'],
    ['an object without Records', '{}'],
    ['Records that is not an array', '{"Records":{}}'],
    ['another test event name', '{"Event":"s3:SomethingElse"}'],
    ['an ObjectRemoved record', body(record({ eventName: 'ObjectRemoved:Delete' }))],
    ['a lifecycle record', body(record({ eventName: 'LifecycleExpiration:Delete' }))],
    ['a created record after a removed one', body(record(), record({ eventName: 'ObjectRemoved:Delete' }))],
    ['a record without eventName', body(record({ eventName: undefined }))],
    ['a record without s3', body(record({ s3: undefined }))],
    ['a record without bucket name', body(record({ s3: { bucket: {}, object: { key: 'k' } } }))],
    ['a record with an empty bucket name', body(record({ s3: { bucket: { name: '' }, object: { key: 'k' } } }))],
    ['a record without key', body(record({ s3: { bucket: { name: 'b' }, object: {} } }))],
    ['a record with an empty key', body(record({}, { key: '' }))],
    ['a record with a negative size', body(record({}, { size: -1 }))],
    ['a record with a fractional size', body(record({}, { size: 1.5 }))],
    ['a record that is not an object', body('ObjectCreated:Put')],
  ])('throws MalformedEventError for %s', (_name, input) => {
    expect(() => parseS3Notification(input)).toThrow(MalformedEventError);
  });

  it('throws MalformedEventError (not a URIError) for a key with broken percent-encoding', () => {
    expect(() => parseS3Notification(body(record({}, { key: 'uploads%2' })))).toThrow(MalformedEventError);
  });

  it('names the error MalformedEventError', () => {
    expect(() => parseS3Notification('{')).toThrow(expect.objectContaining({ name: 'MalformedEventError' }));
  });
});

describe('s3NotificationBody', () => {
  const at = new Date('2026-05-16T10:00:00.000Z');

  it.each([
    'uploads/P0123456789AB/photo/uAbCdEfGh12345678',
    'clean/P0123456789AB/idCard/uAbCdEfGh12345678.jpg',
    'with space/and+plus/%percent/護照.jpg',
  ])('round-trips %j through parseS3Notification', (key) => {
    const out = parseS3Notification(
      s3NotificationBody({ bucket: 'clean-bucket', key, size: 42, versionId: 'v7', eTag: 'abc' }, at),
    );
    expect(out).toEqual([{ bucket: 'clean-bucket', key, size: 42, versionId: 'v7' }]);
  });

  it('looks like what S3 sends: an ObjectCreated record with slashes left unencoded', () => {
    const json = JSON.parse(
      s3NotificationBody({ bucket: 'b', key: 'uploads/a b/c', size: 1, versionId: 'v', eTag: 'e' }, at),
    ) as { Records: { eventName: string; eventTime: string; s3: { object: { key: string } } }[] };
    expect(json.Records).toHaveLength(1);
    expect(json.Records[0]).toMatchObject({
      eventName: 'ObjectCreated:Post',
      eventTime: at.toISOString(),
      s3: { object: { key: 'uploads/a%20b/c' } },
    });
  });
});
