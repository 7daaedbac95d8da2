/**
 * A minimal parquet writer for test fixtures: one row group, required UTF-8 string columns,
 * PLAIN encoding, no compression. Written by hand from the parquet-format spec (thrift compact
 * protocol) because no parquet writer is installed; it lets the hyparquet path be tested for real.
 */

type Field = [id: number, type: number, value: Uint8Array];

const T_I32 = 5;
const T_I64 = 6;
const T_BINARY = 8;
const T_LIST = 9;
const T_STRUCT = 12;

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const zigzag = (n: number): bigint => {
  const b = BigInt(n);
  return b >= 0n ? b << 1n : (-b << 1n) - 1n;
};
const int = (n: number): Uint8Array => Uint8Array.from(varint(zigzag(n)));
const binary = (s: string): Uint8Array => {
  const bytes = Buffer.from(s, 'utf8');
  return Uint8Array.from([...varint(BigInt(bytes.length)), ...bytes]);
};
function struct(fields: Field[]): Uint8Array {
  const out: number[] = [];
  let last = 0;
  for (const [id, type, value] of fields) {
    out.push(((id - last) << 4) | type, ...value);
    last = id;
  }
  out.push(0);
  return Uint8Array.from(out);
}
function list(elemType: number, items: Uint8Array[]): Uint8Array {
  const header =
    items.length < 15 ? [(items.length << 4) | elemType] : [0xf0 | elemType, ...varint(BigInt(items.length))];
  return Uint8Array.from([...header, ...items.flatMap((i) => [...i])]);
}

export function writeStringParquet(
  columns: readonly string[],
  rows: readonly Record<string, string>[],
): Buffer {
  const chunks: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const columnChunks: Uint8Array[] = [];
  for (const name of columns) {
    const values = Buffer.concat(
      rows.map((r) => {
        const bytes = Buffer.from(r[name] ?? '', 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32LE(bytes.length);
        return Buffer.concat([len, bytes]);
      }),
    );
    const pageHeader = struct([
      [1, T_I32, int(0)], // DATA_PAGE
      [2, T_I32, int(values.length)],
      [3, T_I32, int(values.length)],
      [
        5,
        T_STRUCT,
        struct([
          [1, T_I32, int(rows.length)],
          [2, T_I32, int(0)], // PLAIN
          [3, T_I32, int(3)], // RLE
          [4, T_I32, int(3)],
        ]),
      ],
    ]);
    const pageOffset = offset;
    const size = pageHeader.length + values.length;
    chunks.push(Buffer.from(pageHeader), values);
    offset += size;
    const meta = struct([
      [1, T_I32, int(6)], // BYTE_ARRAY
      [2, T_LIST, list(T_I32, [int(0)])],
      [3, T_LIST, list(T_BINARY, [binary(name)])],
      [4, T_I32, int(0)], // UNCOMPRESSED
      [5, T_I64, int(rows.length)],
      [6, T_I64, int(size)],
      [7, T_I64, int(size)],
      [9, T_I64, int(pageOffset)],
    ]);
    columnChunks.push(
      struct([
        [2, T_I64, int(pageOffset)],
        [3, T_STRUCT, meta],
      ]),
    );
  }
  const schema = [
    struct([
      [4, T_BINARY, binary('schema')],
      [5, T_I32, int(columns.length)],
    ]),
    ...columns.map((name) =>
      struct([
        [1, T_I32, int(6)], // BYTE_ARRAY
        [3, T_I32, int(0)], // REQUIRED
        [4, T_BINARY, binary(name)],
        [6, T_I32, int(0)], // UTF8
      ]),
    ),
  ];
  const footer = struct([
    [1, T_I32, int(1)],
    [2, T_LIST, list(T_STRUCT, schema)],
    [3, T_I64, int(rows.length)],
    [
      4,
      T_LIST,
      list(T_STRUCT, [
        struct([
          [1, T_LIST, list(T_STRUCT, columnChunks)],
          [2, T_I64, int(offset - 4)],
          [3, T_I64, int(rows.length)],
        ]),
      ]),
    ],
  ]);
  const footerLength = Buffer.alloc(4);
  footerLength.writeUInt32LE(footer.length);
  chunks.push(Buffer.from(footer), footerLength, Buffer.from('PAR1'));
  return Buffer.concat(chunks);
}
