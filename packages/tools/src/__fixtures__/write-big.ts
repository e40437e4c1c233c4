// Child process for the killed-mid-write test: writes a large file with the tools'
// atomic writer so the parent can SIGKILL it part way through.
import { writeFileAtomic } from "../fs/atomic-write.js";

const [target, megabytes] = process.argv.slice(2);
if (!target || !megabytes) throw new Error("usage: write-big <target> <megabytes>");
const content = Buffer.alloc(Number(megabytes) * 1024 * 1024, "n");
process.stdout.write("ready\n");
await writeFileAtomic(target, content);
process.stdout.write("done\n");
