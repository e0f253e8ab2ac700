/* files.h: the document blob store on disk. Each file is kept once, named by
 * the hex SHA-256 of its contents under DIR/ab/abcdef...; metadata lives in
 * the database (store.h). */
#ifndef KENGASH_FILES_H
#define KENGASH_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"

/* Writes the path of blob zSha256 (64 hex chars) into zOut. KG_EINVAL when
 * zSha256 is not 64 lowercase hex characters. */
enum kg_err kg_files_path(const char *zDir, const char *zSha256, char *zOut, size_t nOut);
/* Moves the already fsync'd file zTmpPath into the store as zSha256 (the
 * caller computed the hash while writing it). When the blob exists the
 * temporary file is removed instead. Durable: the directory is fsync'd. */
enum kg_err kg_files_adopt(const char *zDir, const char *zTmpPath, const char *zSha256);
/* Creates and opens (O_CLOEXEC) a new file DIR/PREFIXnnnnnn with a unique
 * suffix, writing its path into zOut. Returns the descriptor, or -1 with
 * errno set (ENAMETOOLONG when the path does not fit in nOut). */
int kg_files_mktemp(const char *zDir, const char *zPrefix, char *zOut, size_t nOut);
/* Stores n bytes from memory; writes the hex SHA-256 into zShaOut (65 bytes). */
enum kg_err kg_files_put(const char *zDir, const void *pData, size_t n, char zShaOut[65]);

#endif
