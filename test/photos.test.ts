import { randomUUID } from 'node:crypto';
import {
  detectionPhotoEndpoint,
  detectionPhotoKey,
  enrollmentPhotoEndpoint,
  enrollmentPhotoKey,
  type HttpRequest,
  type ObjectStore,
  toHttpRequest,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { detectionPhoto, enrollmentPhoto } from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { jpegBytes, putObject, recordingObjectStore } from './support/storage.ts';
import { bearer, token } from './support/tokens.ts';

const get = async (handler: typeof enrollmentPhoto, path: string, headers?: Record<string, string>) =>
  invoke(handler, apiEvent({ path, headers: headers ?? bearer(await token()) }));

describe('GET /api/v1/people/enrollmentPhoto/{faceId}', () => {
  it('answers 200 with the exact JPEG bytes, image/jpeg and Content-Length', async () => {
    const faceId = randomUUID();
    const photo = jpegBytes(5000);
    await putObject(enrollmentPhotoKey(faceId), photo);

    const response = await get(enrollmentPhoto, `/api/v1/people/enrollmentPhoto/${faceId}`);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.headers['content-length']).toBe(String(photo.length));
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.equals(photo)).toBe(true);
  });

  it('serves any authenticated user, without file permissions', async () => {
    const faceId = randomUUID();
    await putObject(enrollmentPhotoKey(faceId), jpegBytes());
    const jwt = await token({ claims: { permissions: [] } });
    const response = await get(enrollmentPhoto, `/api/v1/people/enrollmentPhoto/${faceId}`, bearer(jwt));
    expect(response.statusCode).toBe(200);
  });

  it('answers 404 with a problem body when the face has no photo', async () => {
    const response = await get(enrollmentPhoto, `/api/v1/people/enrollmentPhoto/${randomUUID()}`);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers 401 with WWW-Authenticate when no token is sent', async () => {
    const faceId = randomUUID();
    await putObject(enrollmentPhotoKey(faceId), jpegBytes());
    const response = await get(enrollmentPhoto, `/api/v1/people/enrollmentPhoto/${faceId}`, {});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.json()).toMatchObject({ status: 401 });
  });

  it.each([
    ['a traversal', '..'],
    ['an encoded slash', 'a%2Fb'],
    ['an encoded traversal', '%2e%2e'],
    ['a backslash', 'a%5Cb'],
    ['a control character', 'a%00b'],
    ['129 characters', 'a'.repeat(129)],
  ])('answers 404 for a faceId with %s', async (_, faceId) => {
    const response = await get(enrollmentPhoto, `/api/v1/people/enrollmentPhoto/${faceId}`);
    expect(response.statusCode).toBe(404);
  });
});

describe('GET /api/v1/people/detectionPhoto/{faceId}/{detectionId}', () => {
  it('answers 200 with the detection photo, not the enrollment photo', async () => {
    const faceId = randomUUID();
    const enrollment = jpegBytes(3000);
    const detection = jpegBytes(4000);
    await putObject(enrollmentPhotoKey(faceId), enrollment);
    await putObject(detectionPhotoKey(faceId, 'det-1'), detection);

    const response = await get(detectionPhoto, `/api/v1/people/detectionPhoto/${faceId}/det-1`);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.body.equals(detection)).toBe(true);
  });

  it('answers 404 when the detection does not exist', async () => {
    const faceId = randomUUID();
    await putObject(enrollmentPhotoKey(faceId), jpegBytes());
    const response = await get(detectionPhoto, `/api/v1/people/detectionPhoto/${faceId}/missing`);
    expect(response.statusCode).toBe(404);
  });

  it('answers 401 for an invalid token', async () => {
    const response = await get(detectionPhoto, `/api/v1/people/detectionPhoto/a/b`, bearer('not.a.jwt'));
    expect(response.statusCode).toBe(401);
  });
});

/** The photo routes' endpoints, each given its path parameters as API Gateway would decode them. */
function photoEndpoints(deps: { objects: ObjectStore }) {
  const enrollment = enrollmentPhotoEndpoint(deps);
  const detection = detectionPhotoEndpoint(deps);
  const principal = { subject: 'test', permissions: new Set<string>(), roles: [] };
  return {
    enrollment: (request: HttpRequest, faceId: string) =>
      enrollment({ ...request, pathParameters: { faceId } }, principal),
    detection: (request: HttpRequest, faceId: string, detectionId: string) =>
      detection({ ...request, pathParameters: { faceId, detectionId } }, principal),
  };
}

describe('photo ids', () => {
  it.each(['', '.', '..', 'a/b', '../faces', 'a\\b', 'a\u0000b', 'a\nb', '-leading', 'x'.repeat(129), 'é'])(
    'never turns %j into a storage key',
    async (id) => {
      const { store, keys } = recordingObjectStore();
      const photos = photoEndpoints({ objects: store });
      const request = toHttpRequest(apiEvent({ path: '/api/v1/people/enrollmentPhoto/x' }));
      await expect(photos.enrollment(request, id)).rejects.toMatchObject({ statusCode: 404 });
      await expect(photos.detection(request, 'face', id)).rejects.toMatchObject({ statusCode: 404 });
      await expect(photos.detection(request, id, 'det')).rejects.toMatchObject({ statusCode: 404 });
      expect(keys).toEqual([]);
    },
  );

  it('reads exactly the face key for a valid id', async () => {
    const { store, keys } = recordingObjectStore();
    const request = toHttpRequest(apiEvent({ path: '/api/v1/people/enrollmentPhoto/x' }));
    await expect(photoEndpoints({ objects: store }).detection(request, 'f-1', 'd.2')).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(keys).toEqual(['faces/f-1/detections/d.2.jpg']);
  });
});
