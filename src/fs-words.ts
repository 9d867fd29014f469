/**
 * Why a file could not be read or written, in words a township's office reads (a folder, no such path, no right to
 * it, a full or read-only disk), from the system's error code; the system's own message for anything else.
 */
const WORDS: Record<string, string> = {
  ENOENT: '路径不存在', EISDIR: '这是一个文件夹，不是文件', ENOTDIR: '路径中的某一级是文件，不是文件夹', EEXIST: '路径中的某一级是文件，不是文件夹',
  EACCES: '没有该文件或文件夹的权限', EPERM: '没有该文件或文件夹的权限', ENOSPC: '磁盘空间不足', EROFS: '该磁盘是只读的',
};

export function fileProblemInWords(e: unknown): string {
  return WORDS[(e as NodeJS.ErrnoException)?.code ?? ''] ?? (e as Error)?.message ?? String(e);
}
