// class-transformer keeps its metadata storage out of its index; Nest's ValidationPipe loads the CommonJS build.
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage.js';
}
