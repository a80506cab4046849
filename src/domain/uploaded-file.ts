/**
 * A file part of a multipart/form-data request (the GraphQL multipart request spec), held in
 * memory: the HTTP layer puts it where the request's `map` says, and the `Upload` scalar accepts
 * nothing else, so a JSON body can never pose as one. Its bytes are handed over once (an image's
 * buffer moves to a pipeline worker), which is why a file may fill only one variable.
 */
export class UploadedFile {
  constructor(
    readonly bytes: Buffer,
    readonly filename: string | null,
    readonly mimeType: string,
  ) {}
}
