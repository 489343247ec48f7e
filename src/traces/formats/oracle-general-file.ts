import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { KvsimInputError } from "../../errors.js";
import { fileErrorText } from "../../json-file.js";
import type { Trace } from "../trace.js";
import { littleEndianWords, nextAccessIn, ORACLE_GENERAL_RECORD, OracleGeneralDecoder, oracleGeneralRecords } from "./oracle-general.js";
import type { ReadProgress } from "./read-chunks.js";

/** Records per read: 3 MiB, which stays in cache while it is decoded. */
const RECORDS_PER_READ = 1 << 17;

/**
 * Reads an oracleGeneral file through one reused buffer, decoding each piece as it arrives: the
 * file's bytes are never all in memory (a 10M-record file is 229 MiB), only its 4-byte pages and
 * next accesses. `onProgress` hears of the bytes read.
 */
export function readOracleGeneralFile(file: string, name: string, onProgress?: ReadProgress): Trace {
  const fd = openFile(file);
  try {
    const total = fstatSync(fd).size;
    const count = oracleGeneralRecords(total, file);
    const decoder = new OracleGeneralDecoder(count);
    const buffer = new Uint8Array(Math.min(count, RECORDS_PER_READ) * ORACLE_GENERAL_RECORD);
    for (let done = 0; done < count;) {
      const records = Math.min(RECORDS_PER_READ, count - done);
      const bytes = buffer.subarray(0, records * ORACLE_GENERAL_RECORD);
      readFully(fd, bytes, done * ORACLE_GENERAL_RECORD, file, total);
      decoder.push(littleEndianWords(bytes), records);
      done += records;
      onProgress?.(done * ORACLE_GENERAL_RECORD, total);
    }
    return decoder.finish(file, name, (record) => {
      // Only a refused file comes here: its one record is read again for the message.
      const bytes = new Uint8Array(ORACLE_GENERAL_RECORD);
      readFully(fd, bytes, record * ORACLE_GENERAL_RECORD, file, total);
      return nextAccessIn(littleEndianWords(bytes), 0);
    });
  } finally {
    closeSync(fd);
  }
}

function openFile(file: string): number {
  try {
    return openSync(file, "r");
  } catch (err) {
    throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
  }
}

/** Fills `bytes` from the file at `position`; a file that shrinks while it is read is refused. */
function readFully(fd: number, bytes: Uint8Array, position: number, file: string, total: number): void {
  for (let got = 0; got < bytes.length;) {
    let n;
    try {
      n = readSync(fd, bytes, got, bytes.length - got, position + got);
    } catch (err) {
      throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
    }
    if (n === 0) throw new KvsimInputError(`cannot read ${file}: it ended at byte ${position + got} of the ${total} it had when opened`);
    got += n;
  }
}
