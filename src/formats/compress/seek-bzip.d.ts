// Types for the parts of seek-bzip (CommonJS, untyped) that torchward uses.
declare module 'seek-bzip' {
  interface InputStream {
    readByte(): number;
    read(buffer: Uint8Array, at: number, length: number): number;
    eof(): boolean;
  }
  interface OutputStream {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    decode(input: InputStream, output: OutputStream, multistream?: boolean): void;
  };
  export default Bunzip;
}
