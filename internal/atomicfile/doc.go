// Package atomicfile is the one way the project writes output files, so
// that readers, and a crash, never see half of one, and so that every
// command treats the path it is given alike (Resolve decides):
//
//   - a new path or a regular file: the content goes to a temporary file in
//     the destination's folder, which is flushed, synced and renamed over
//     the destination (an existing file keeps its permission bits);
//   - a symbolic link: followed, and its target written atomically, so the
//     link stays a link (a dangling link creates its target);
//   - a character or block device or a FIFO: written directly, streaming,
//     never replaced by a regular file (so "-o /dev/null" stays a device);
//   - "-": standard output, streaming.
package atomicfile
