// Generated from openapi.json by npm run openapi (openapi-typescript): do not edit.
// The CLI's requests are typed by it (cli/api-client.ts), so a contract change the CLI does not follow fails its type-check.

export interface paths {
    "/api/v1/people/enrollmentPhoto/{faceId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a face's enrollment photo (JPEG).
         * @description Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.
         *
         *     Permission: any authenticated user.
         */
        get: operations["EnrollmentPhoto"];
        put?: never;
        post?: never;
        /**
         * Delete a face's enrollment photo and every detection photo of it, every version.
         * @description A 404 when nothing of the face is stored, not even an old version.
         *
         *     Permission: **Mutate All Identity** (category Identities).
         */
        delete: operations["DeleteEnrollmentPhoto"];
        options?: never;
        /**
         * Download a face's enrollment photo (JPEG). Headers only (HEAD).
         * @description Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.
         *
         *     Permission: any authenticated user.
         */
        head: operations["EnrollmentPhotoHead"];
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/detectionPhoto/{faceId}/{detectionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a detection photo (JPEG).
         * @description Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.
         *
         *     Permission: any authenticated user.
         */
        get: operations["DetectionPhoto"];
        put?: never;
        post?: never;
        /**
         * Delete one detection photo, every version.
         * @description A 404 when the photo has no version left.
         *
         *     Permission: **Mutate All Identity** (category Identities).
         */
        delete: operations["DeleteDetectionPhoto"];
        options?: never;
        /**
         * Download a detection photo (JPEG). Headers only (HEAD).
         * @description Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.
         *
         *     Permission: any authenticated user.
         */
        head: operations["DetectionPhotoHead"];
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/fileDocuments/upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file document for a person (multipart).
         * @description Files up to 4194304 bytes; larger ones go through an upload session.
         *
         *     Permission: **Add Identity Files** (category Identities).
         */
        post: operations["UploadFileDocument"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{personId}/fileDocuments/{documentId}/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file document.
         * @description The bytes as uploaded, with the Content-Type given then, always as an attachment. The ETag is the SHA-256 of the bytes.
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        get: operations["DownloadFileDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        /**
         * Download a file document. Headers only (HEAD).
         * @description The bytes as uploaded, with the Content-Type given then, always as an attachment. The ETag is the SHA-256 of the bytes.
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        head: operations["DownloadFileDocumentHead"];
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/fileDocuments/uploadSessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an upload session for a large document (presigned form).
         * @description Reserves the document id and answers a presigned form that takes exactly this file, straight to storage. Upload the bytes with it, then complete the session.
         *
         *     Permission: **Add Identity Files** (category Identities).
         */
        post: operations["StartUploadSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/fileDocuments/uploadSessions/{documentId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete an upload session: the uploaded bytes become the document.
         * @description Checks the size (and the SHA-256 when declared) of what was uploaded, then records the document.
         *
         *     Permission: **Add Identity Files** (category Identities).
         */
        post: operations["CompleteUploadSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{personId}/auditTrail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A person's access trail: every access to and change of their files, newest first.
         * @description Downloads (ranges, HEAD and 304 included), uploads, completions, changes and deletions, each with who, when, from where and what they got. Read only: nothing writes or deletes events through the API.
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        get: operations["AuditTrail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{personId}/fileDocuments/{documentId}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A download link for a document's bytes, straight from storage.
         * @description A presigned GET for exactly this document, answered by storage with the headers `.../data` sends (as an attachment). Issuing it is recorded in the access trail first: when the trail cannot be written, no link is issued (503).
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        post: operations["FileDocumentLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/enrollmentPhoto/{faceId}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A download link for a face's enrollment photo, straight from storage.
         * @description A presigned GET for the photo's current version.
         *
         *     Permission: any authenticated user.
         */
        post: operations["EnrollmentPhotoLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/detectionPhoto/{faceId}/{detectionId}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A download link for a detection photo, straight from storage.
         * @description A presigned GET for the photo's current version.
         *
         *     Permission: any authenticated user.
         */
        post: operations["DetectionPhotoLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{personId}/fileDocuments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A page of a person's documents' metadata, newest first.
         * @description Documents an upload session has reserved but not completed are not listed. A person without documents has an empty page.
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        get: operations["ListFileDocuments"];
        put?: never;
        post?: never;
        /**
         * Erase every document of a person (and their pending upload sessions), every version.
         * @description Idempotent and resumable: a 202 means part is erased; send the same DELETE again until it answers 204. The person's access trail is kept.
         *
         *     Permission: **Delete Identity Files** (category Identities).
         */
        delete: operations["EraseFileDocuments"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/{personId}/fileDocuments/{documentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One document's metadata, with its ETag.
         * @description The ETag is the metadata's (what a change's If-Match names), not the bytes'. If-None-Match is honoured.
         *
         *     Permission: **Read Identity Files** (category Identities).
         */
        get: operations["GetFileDocument"];
        put?: never;
        post?: never;
        /**
         * Delete a document: every version of its bytes, and its metadata.
         * @description Nothing of it is recoverable from this service afterwards. Its id is free at once. A repeated delete is a 404.
         *
         *     Permission: **Delete Identity Files** (category Identities).
         */
        delete: operations["DeleteFileDocument"];
        options?: never;
        head?: never;
        /**
         * Change a document's name or description (JSON Merge Patch, conditional on If-Match).
         * @description If-Match names the metadata's ETag (or `*`). The bytes never change: a new file is a new upload. Of two changes made from one read, exactly one applies.
         *
         *     Permission: **Add Identity Files** (category Identities).
         */
        patch: operations["UpdateFileDocument"];
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description An RFC 9457 problem. Only statuses below 500 explain themselves in `detail`. */
        Problem: {
            /** @constant */
            type: "about:blank";
            title: string;
            status: number;
            detail: string;
            /** @description Quote it when reporting a problem. */
            requestId: string;
        };
        /** @description API Gateway's own answer (a limit or a failure before or around the function), not the API's. */
        GatewayMessage: {
            message: string;
        };
        /** @description The file is any part that carries a filename, whatever its field name; exactly one. Field names match case-insensitively. */
        UploadForm: {
            /** @description The file to store. */
            file: string;
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
            /**
             * @description Display name (trimmed; 1 to 256 characters).
             * @example ID Card
             */
            name: string;
            /**
             * @description Optional description (trimmed; at most 2048 characters).
             * @example Front of ID
             */
            description?: string;
            /**
             * @description Caller-supplied document id: letters, digits, ".", "_", "~" or "-", starting with a letter or digit. A GUID is generated when omitted.
             * @example card-1
             */
            publicId?: string;
        };
        StartUploadSessionRequest: {
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
            /**
             * @description Display name (trimmed; 1 to 256 characters).
             * @example ID Card
             */
            name: string;
            /**
             * @description Optional description (trimmed; at most 2048 characters).
             * @example Front of ID
             */
            description?: string;
            /**
             * @description Caller-supplied document id: letters, digits, ".", "_", "~" or "-", starting with a letter or digit. A GUID is generated when omitted.
             * @example card-1
             */
            publicId?: string;
            /**
             * @description The file name downloads are saved under (control characters and paths dropped, 255 at most).
             * @example id-card.pdf
             */
            fileName: string;
            /**
             * @description Media type of the file; anything that is not one becomes application/octet-stream.
             * @example application/pdf
             */
            contentType?: string;
            /** @description The exact size of the file in bytes. */
            size: number;
            /** @description The file's SHA-256, checked when the session is completed. */
            sha256?: string;
        };
        UploadSession: {
            documentId: string;
            /**
             * Format: date-time
             * @description The session must be completed before this.
             */
            expiresAt: string;
            /** @description A presigned form: POST `fields` then the file (as `fileField`) to `url` as multipart/form-data. */
            upload: {
                /** @constant */
                method: "POST";
                url: string;
                fields: {
                    [key: string]: string;
                };
                /** @constant */
                fileField: "file";
                /** Format: date-time */
                expiresAt: string;
            };
            /** @description The request that turns the uploaded bytes into the document; `url` is relative to this one. */
            complete: {
                /** @constant */
                method: "POST";
                url: string;
                body: components["schemas"]["CompleteUploadSessionRequest"];
            };
        };
        CompleteUploadSessionRequest: {
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
        };
        Document: {
            documentId: string;
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
            name: string;
            fileName: string;
            contentType: string;
            size: number;
            sha256: string;
            /** Format: date-time */
            createdAt: string;
        };
        /** @description One recorded access to or change of a person's files (or a face's photos). */
        AuditEvent: {
            /** Format: date-time */
            time: string;
            /** @enum {string} */
            action: "document.download" | "document.upload" | "document.uploadSessionComplete" | "document.update" | "document.delete" | "document.link" | "person.erase" | "photo.download" | "photo.delete";
            /** @description The caller's subject, as the token names it. */
            subject: string;
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId?: string;
            documentId?: string;
            faceId?: string;
            detectionId?: string;
            /** @enum {string} */
            method: "GET" | "HEAD" | "POST" | "PATCH" | "DELETE";
            requestId: string;
            sourceIp: string;
            userAgent?: string;
            /** @description The Range asked for, as sent. */
            range?: string;
            /** @description The answer: 304 marks a revalidation, 206 a range served. */
            status: number;
            bytesSent: number;
            bytesReceived?: number;
            /**
             * Format: date-time
             * @description For a download link issued: when it stops working.
             */
            linkExpiresAt?: string;
        };
        LinkRequest: {
            /**
             * @description Seconds the link works: 1 to 900 (default 60).
             * @default 60
             */
            expiresIn: number;
        };
        DownloadLink: {
            /**
             * Format: uri
             * @description A presigned GET straight to storage for exactly this object: a bearer capability until it expires.
             */
            url: string;
            /** Format: date-time */
            expiresAt: string;
        };
        AuditTrailPage: {
            items: components["schemas"]["AuditEvent"][];
            /** @description The next page's cursor; null on the last page. */
            nextCursor: string | null;
        };
        /** @description A document's metadata: the same shape in a list, alone and after a change, every field present. */
        DocumentMetadata: {
            id: string;
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
            name: string;
            /** @description null when there is none. */
            description: string | null;
            fileName: string;
            contentType: string;
            size: number;
            /** @description The bytes' SHA-256: the download's ETag. */
            sha256: string;
            /** Format: date-time */
            createdAt: string;
            createdBy: string;
            /**
             * Format: date-time
             * @description When the name or description last changed; createdAt until then.
             */
            updatedAt: string;
            updatedBy: string;
        };
        DocumentPage: {
            items: components["schemas"]["DocumentMetadata"][];
            /** @description The next page's cursor; null on the last page. */
            nextCursor: string | null;
        };
        /** @description A JSON Merge Patch (RFC 7396) of the name and description; any other member is a 400. */
        DocumentPatch: {
            /**
             * @description Display name (trimmed; 1 to 256 characters).
             * @example ID Card
             */
            name?: string;
            /**
             * @description null (or blank) removes it.
             * @example Front of ID
             */
            description?: string | null;
        };
        ErasureInProgress: {
            /**
             * @description The person (a GUID; matched case-insensitively, stored in lower case).
             * @example 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
             */
            personId: string;
            /** @constant */
            status: "inProgress";
            detail: string;
            /** @description Documents this request erased. */
            erasedDocuments: number;
            /** @description Pending upload sessions this request erased. */
            erasedSessions: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    EnrollmentPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The photo. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                };
            };
            /** @description One range of the photo (a single `bytes=` range; If-Range must match the ETag). */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                };
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DeleteEnrollmentPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Mutate All Identity" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    EnrollmentPhotoHead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The photo. Headers only. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description One range of the photo (a single `bytes=` range; If-Range must match the ETag). Headers only. */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DetectionPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
                /** @description The detection of that face. */
                detectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The photo. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                };
            };
            /** @description One range of the photo (a single `bytes=` range; If-Range must match the ETag). */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                };
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DeleteDetectionPhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
                /** @description The detection of that face. */
                detectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Mutate All Identity" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DetectionPhotoHead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
                /** @description The detection of that face. */
                detectionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The photo. Headers only. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description One range of the photo (a single `bytes=` range; If-Range must match the ETag). Headers only. */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    UploadFileDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description Stored. The body is empty. */
            200: {
                headers: {
                    /** @description Where the document's data is downloaded, relative to the request URL. */
                    Location: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not a multipart request, or a field is missing or invalid. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Add Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The person already has a document with this publicId. */
            409: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The file is over 4194304 bytes. The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DownloadFileDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Always an attachment, with an ASCII `filename` and the exact UTF-8 name as `filename*` (RFC 6266). */
                    "Content-Disposition": string;
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description One range of the document (a single `bytes=` range; If-Range must match the ETag). */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Always an attachment, with an ASCII `filename` and the exact UTF-8 name as `filename*` (RFC 6266). */
                    "Content-Disposition": string;
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DownloadFileDocumentHead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document. Headers only. */
            200: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Always an attachment, with an ASCII `filename` and the exact UTF-8 name as `filename*` (RFC 6266). */
                    "Content-Disposition": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description One range of the document (a single `bytes=` range; If-Range must match the ETag). Headers only. */
            206: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    /** @description Single byte ranges are served. */
                    "Accept-Ranges": "bytes";
                    /** @description Size of the body in bytes (of the whole representation for HEAD). */
                    "Content-Length": string;
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Always an attachment, with an ASCII `filename` and the exact UTF-8 name as `filename*` (RFC 6266). */
                    "Content-Disposition": string;
                    /** @description The range sent, and the whole size. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description If-None-Match matched the current ETag: no body. */
            304: {
                headers: {
                    /** @description Strong entity tag of the bytes; send it back in If-None-Match or If-Range. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The range starts past the end. */
            416: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The whole size, for a range that starts past its end. */
                    "Content-Range": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    StartUploadSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartUploadSessionRequest"];
            };
        };
        responses: {
            /** @description The session and its upload form. */
            201: {
                headers: {
                    /** @description Where the document's data is downloaded, relative to the request URL. */
                    Location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadSession"];
                };
            };
            /** @description The body is not the JSON object described, or a field is invalid. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Add Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The document id is taken, or a session for it is under way. */
            409: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    CompleteUploadSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompleteUploadSessionRequest"];
            };
        };
        responses: {
            /** @description The document. */
            200: {
                headers: {
                    /** @description Where the document's data is downloaded, relative to the request URL. */
                    Location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"];
                };
            };
            /** @description The body is invalid, or the uploaded file is not what the session declared. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Add Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No upload session for this document. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Completed already, or the file has not been uploaded yet. */
            409: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The session expired. */
            410: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    AuditTrail: {
        parameters: {
            query?: {
                /** @description Items in the page: 1 to 100 (default 50). */
                limit?: number;
                /** @description The previous page's `nextCursor`, as given; any other value (or another list's) is a 400. */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events (an empty page for a person with none). */
            200: {
                headers: {
                    /** @description The next page (RFC 8288), relative to the request URL: `<…?limit=…&cursor=…>; rel="next"`. */
                    Link: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditTrailPage"];
                };
            };
            /** @description A limit out of range, or a cursor this list did not issue. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A person id that is not a GUID. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    FileDocumentLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        /** @description Optional: how long the link works. No body (or an empty one) asks for the default. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["LinkRequest"];
            };
        };
        responses: {
            /** @description A download link for the document: GET it without a token until `expiresAt`. */
            201: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadLink"];
                };
            };
            /** @description The body is not the JSON described, or the lifetime is out of range. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    EnrollmentPhotoLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
            };
            cookie?: never;
        };
        /** @description Optional: how long the link works. No body (or an empty one) asks for the default. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["LinkRequest"];
            };
        };
        responses: {
            /** @description A download link for the photo: GET it without a token until `expiresAt`. */
            201: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadLink"];
                };
            };
            /** @description The body is not the JSON described, or the lifetime is out of range. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DetectionPhotoLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The face. An id no photo could have (outside letters, digits, `._~-`) is a 404. */
                faceId: string;
                /** @description The detection of that face. */
                detectionId: string;
            };
            cookie?: never;
        };
        /** @description Optional: how long the link works. No body (or an empty one) asks for the default. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["LinkRequest"];
            };
        };
        responses: {
            /** @description A download link for the photo: GET it without a token until `expiresAt`. */
            201: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadLink"];
                };
            };
            /** @description The body is not the JSON described, or the lifetime is out of range. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such photo (or an id no photo could have). */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    ListFileDocuments: {
        parameters: {
            query?: {
                /** @description Items in the page: 1 to 100 (default 50). */
                limit?: number;
                /** @description The previous page's `nextCursor`, as given; any other value (or another list's) is a 400. */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of metadata. */
            200: {
                headers: {
                    /** @description The next page (RFC 8288), relative to the request URL: `<…?limit=…&cursor=…>; rel="next"`. */
                    Link?: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentPage"];
                };
            };
            /** @description A person id that is not a GUID, a limit out of range, or a cursor this list did not issue. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    EraseFileDocuments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Part of the documents are erased; repeat the request. */
            202: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErasureInProgress"];
                };
            };
            /** @description Nothing of the person's documents is left (also for a person who had none). */
            204: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A person id that is not a GUID. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Delete Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    GetFileDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metadata. */
            200: {
                headers: {
                    /** @description Strong entity tag of the metadata (not of the bytes); send it back in If-Match or If-None-Match. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentMetadata"];
                };
            };
            /** @description The If-None-Match still holds. */
            304: {
                headers: {
                    /** @description Strong entity tag of the metadata (not of the bytes); send it back in If-Match or If-None-Match. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Read Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    DeleteFileDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Delete Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    UpdateFileDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The person the document belongs to (a GUID; anything else is a 404). */
                personId: string;
                /** @description The document's public id (`publicId` at upload, or the GUID generated then). */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/merge-patch+json": components["schemas"]["DocumentPatch"];
            };
        };
        responses: {
            /** @description The metadata as it is now, with its new ETag. */
            200: {
                headers: {
                    /** @description Strong entity tag of the metadata (not of the bytes); send it back in If-Match or If-None-Match. */
                    ETag: string;
                    /** @description How the response may be cached. */
                    "Cache-Control": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentMetadata"];
                };
            };
            /** @description Not a JSON object, a member other than name or description, or an invalid value. */
            400: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The bearer token is missing or invalid. */
            401: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The scheme to authenticate with (RFC 6750). */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the "Add Identity Files" permission. */
            403: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such document for this person. */
            404: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The document changed since that ETag was read. */
            412: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The patch is over 16384 bytes. The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda). */
            413: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description The body is not sent as application/merge-patch+json. */
            415: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description The media type a change is sent as. */
                    "Accept-Patch": "application/merge-patch+json";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No If-Match: a change names the ETag it was made from. */
            428: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected failure; quote the requestId. */
            500: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency failed. */
            502: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
            /** @description Storage or the token signing keys are throttling or unreachable; retry after the time given. */
            503: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    /** @description Seconds to wait before retrying. */
                    "Retry-After": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A dependency did not answer in time. */
            504: {
                headers: {
                    /** @description Browsers never guess another type. */
                    "X-Content-Type-Options": "nosniff";
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                    "application/json": components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
}
