import { DEF_STRIDE, type PackedTags } from "../cache/packed-tags.js";

/**
 * Every definition of every file in flat arrays, by position `d`: those of file `f` are
 * at `start[f]..start[f + 1] - 1`, in file order (so also in line order). For each name
 * id, `byName[byNameStart[id]..byNameStart[id + 1] - 1]` are the positions of its
 * definitions, in position order (so grouped by file), and `definedIn[id]` counts the
 * distinct files defining it.
 */
export interface DefinitionTable {
  /** Where each file's definitions start; one more entry than files. */
  start: Int32Array;
  /** The file of each definition. */
  file: Int32Array;
  /** The name id of each definition. */
  name: Int32Array;
  /** The line of each definition. */
  line: Int32Array;
  /** Where each name's definitions start in {@link byName}; one more entry than names. */
  byNameStart: Int32Array;
  /** Definition positions, grouped by name. */
  byName: Int32Array;
  /** How many files define each name. */
  definedIn: Int32Array;
}

/**
 * Lays out the definitions of files for ranking, with no object per definition.
 *
 * @param tags - Each file's packed tags, in file order.
 * @param names - How many string ids there are.
 * @returns The table.
 */
export function definitionTable(tags: readonly PackedTags[], names: number): DefinitionTable {
  const start = new Int32Array(tags.length + 1);
  tags.forEach((t, f) => {
    start[f + 1] = (start[f] as number) + t.defs.length / DEF_STRIDE;
  });
  const total = start[tags.length] as number;
  const table: DefinitionTable = {
    start,
    file: new Int32Array(total),
    name: new Int32Array(total),
    line: new Int32Array(total),
    byNameStart: new Int32Array(names + 1),
    byName: new Int32Array(total),
    definedIn: new Int32Array(names),
  };
  const lastFile = new Int32Array(names).fill(-1);
  tags.forEach((t, f) => {
    for (let k = 0, d = start[f] as number; k < t.defs.length; k += DEF_STRIDE, d++) {
      const name = t.defs[k] as number;
      table.file[d] = f;
      table.name[d] = name;
      table.line[d] = t.defs[k + 2] as number;
      table.byNameStart[name + 1] = (table.byNameStart[name + 1] as number) + 1;
      if (lastFile[name] !== f) {
        lastFile[name] = f;
        table.definedIn[name] = (table.definedIn[name] as number) + 1;
      }
    }
  });
  groupByName(table, names);
  return table;
}

// A counting sort of definition positions by name id (stable: position order within one).
function groupByName(table: DefinitionTable, names: number): void {
  const { byNameStart, byName } = table;
  for (let id = 0; id < names; id++) {
    byNameStart[id + 1] = (byNameStart[id + 1] as number) + (byNameStart[id] as number);
  }
  const cursor = byNameStart.slice(0, names);
  for (let d = 0; d < table.name.length; d++) {
    const name = table.name[d] as number;
    byName[cursor[name] as number] = d;
    cursor[name] = (cursor[name] as number) + 1;
  }
}
