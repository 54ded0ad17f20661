//! A disk that loses what was not synced, for the power-cut test: an SQLite VFS in front of the real one (`unix`).
//!
//! Writes and truncations wait in memory, per file, as in the kernel's page cache: every connection in the process
//! reads them, none of them is on the disk. `xSync` puts a file's waiting writes on the disk and syncs it for real.
//! [`cut_after`] arms a power cut: at that many writes and syncs from now the cut happens instead of the operation —
//! a random subset of each file's waiting writes reaches the disk (a real disk writes back in any order), the rest
//! are lost, and every later read, write, sync or open fails, as on a machine that is off. Closing still works, so
//! the test can drop its connections; [`power_on`] then boots the machine again.
//!
//! [`install`] makes this VFS the process's default, so the code under test opens databases exactly as it always
//! does. Only the database, its write-ahead log and journals go through the waiting room; SQLite's shared-memory
//! index (`-shm`) is rebuilt from the log when a database is first opened after a cut, as after a real one.

#![allow(unsafe_code, reason = "an SQLite VFS is a table of C callbacks")]

use std::collections::BTreeMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::ptr;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rusqlite::ffi;

/// A write or truncation that has not reached the disk.
#[derive(Debug)]
enum Pending {
    Write { offset: u64, data: Vec<u8> },
    Truncate(u64),
}

#[derive(Debug)]
struct Disk {
    /// Waiting writes per file path, in the order they were made.
    waiting: BTreeMap<String, Vec<Pending>>,
    /// The machine is off: everything but closing fails.
    off: bool,
    /// Writes and syncs left before the cut, if one is armed, counting only files whose path ends with the text.
    cut_in: Option<(u64, &'static str)>,
    /// When false, `xSync` returns success and writes nothing: a disk that lies about flushing.
    syncs_reach_disk: bool,
    /// xorshift64: which waiting writes survive a cut.
    random: u64,
    /// What the last cut did.
    last_cut: Cut,
}

/// What a power cut did to the writes that were waiting.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Writes that reached the disk anyway.
    pub kept: usize,
    /// Writes that were lost.
    pub lost: usize,
    /// The files that had writes waiting, by path.
    pub files: Vec<String>,
}

static DISK: Mutex<Disk> = Mutex::new(Disk {
    waiting: BTreeMap::new(),
    off: false,
    cut_in: None,
    syncs_reach_disk: true,
    random: 0x9E37_79B9_7F4A_7C15,
    last_cut: Cut { kept: 0, lost: 0, files: Vec::new() },
});

fn disk() -> MutexGuard<'static, Disk> {
    // A panicking test thread must not hide the disk from the next check.
    DISK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The `unix` VFS this one writes through.
fn real() -> *mut ffi::sqlite3_vfs {
    static REAL: OnceLock<usize> = OnceLock::new();
    *REAL.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find initialises SQLite if needed and returns a VFS that lives as long as the process.
        let vfs = unsafe { ffi::sqlite3_vfs_find(c"unix".as_ptr()) };
        assert!(!vfs.is_null(), "SQLite has its unix VFS");
        vfs as usize
    }) as *mut ffi::sqlite3_vfs
}

/// Registers the power-cut VFS as the default for every connection this process opens from now on.
pub fn install() {
    static INSTALLED: OnceLock<usize> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let real = real();
        // SAFETY: `real` is a valid VFS; the copy keeps its helpers (randomness, sleep, time, dynamic loading),
        // which do not use the VFS pointer they are given. The leaked box lives as long as the process, as SQLite
        // requires of a registered VFS.
        unsafe {
            let mut vfs = *real;
            vfs.szOsFile = std::mem::size_of::<CutFile>() as c_int;
            vfs.pNext = ptr::null_mut();
            vfs.zName = c"power-cut".as_ptr();
            vfs.pAppData = ptr::null_mut();
            vfs.xOpen = Some(open);
            vfs.xDelete = Some(delete);
            vfs.xAccess = Some(access);
            vfs.xFullPathname = Some(full_pathname);
            let vfs = Box::into_raw(Box::new(vfs));
            assert_eq!(ffi::sqlite3_vfs_register(vfs, 1), ffi::SQLITE_OK, "the power-cut VFS registers");
            vfs as usize
        }
    });
}

/// Arms a power cut at the `operations`-th write, truncation or sync from now (1 = the very next one).
pub fn cut_after(operations: u64) {
    disk().cut_in = Some((operations.max(1), ""));
}

/// Arms a power cut at the `operations`-th write, truncation or sync from now to a file whose path ends with
/// `file`: with the database file itself in WAL mode, that is in the middle of a checkpoint.
pub fn cut_at_write_to(file: &'static str, operations: u64) {
    disk().cut_in = Some((operations.max(1), file));
}

/// Whether the armed cut has happened.
pub fn is_off() -> bool {
    disk().off
}

/// Boots the machine again after a cut (all connections of the old "boot" must be closed first). Returns what the
/// cut did, if there was one since the last boot.
pub fn power_on() -> Cut {
    let mut disk = disk();
    disk.off = false;
    disk.cut_in = None;
    std::mem::take(&mut disk.last_cut)
}

/// Whether `xSync` really syncs (true, the default) or returns success and keeps the writes waiting: a disk that
/// lies, which loses acknowledged writes at a cut exactly as `synchronous=OFF` does.
pub fn syncs_reach_disk(honest: bool) {
    disk().syncs_reach_disk = honest;
}

/// Seeds the choice of which waiting writes survive a cut, so a failing run can be repeated.
pub fn seed(seed: u64) {
    disk().random = seed | 1;
}

fn cut(disk: &mut Disk) {
    disk.off = true;
    disk.cut_in = None;
    let mut report = Cut::default();
    for (path, writes) in std::mem::take(&mut disk.waiting) {
        let file = OpenOptions::new().write(true).open(&path).expect("a file with writes waiting is on the disk");
        for write in writes {
            disk.random ^= disk.random << 13;
            disk.random ^= disk.random >> 7;
            disk.random ^= disk.random << 17;
            if disk.random & 1 == 0 {
                report.lost += 1;
                continue;
            }
            report.kept += 1;
            match write {
                Pending::Write { offset, data } => file.write_all_at(&data, offset),
                Pending::Truncate(size) => file.set_len(size),
            }
            .expect("writing what survives a cut to the real file");
        }
        report.files.push(path);
    }
    disk.last_cut = report;
}

/// Counts one write, truncation or sync of `path` towards an armed cut. Returns false if the machine is (now) off.
fn tick(disk: &mut Disk, path: &str) -> bool {
    if disk.off {
        return false;
    }
    if let Some((left, file)) = disk.cut_in.as_mut()
        && path.ends_with(*file)
    {
        *left -= 1;
        if *left == 0 {
            cut(disk);
            return false;
        }
    }
    true
}

/// What SQLite allocates for each open file: our header, then the real VFS's file.
#[repr(C)]
struct CutFile {
    base: ffi::sqlite3_file,
    real: *mut ffi::sqlite3_file,
    /// The file's path; null for temporary files, which pass straight through.
    path: *mut String,
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    // Version 2: shared memory for WAL, but no memory-mapped reads that would bypass the waiting writes.
    iVersion: 2,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// The real file behind one of ours, and its methods.
///
/// # Safety
/// `file` must be a `CutFile` that `open` filled in and `close` has not freed.
unsafe fn parts<'a>(
    file: *mut ffi::sqlite3_file,
) -> (*mut ffi::sqlite3_file, &'a ffi::sqlite3_io_methods, Option<&'a str>) {
    unsafe {
        let file = file.cast::<CutFile>();
        let real = (*file).real;
        let path = (*file).path;
        (real, &*(*real).pMethods, if path.is_null() { None } else { Some((*path).as_str()) })
    }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe {
        (*file).pMethods = ptr::null();
        if disk().off {
            return ffi::SQLITE_CANTOPEN;
        }
        let real_vfs = real();
        let real_file = ffi::sqlite3_malloc((*real_vfs).szOsFile).cast::<ffi::sqlite3_file>();
        if real_file.is_null() {
            return ffi::SQLITE_NOMEM;
        }
        ptr::write_bytes(real_file.cast::<u8>(), 0, (*real_vfs).szOsFile as usize);
        let rc = ((*real_vfs).xOpen.expect("xOpen"))(real_vfs, name, real_file, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            if !(*real_file).pMethods.is_null() {
                ((*(*real_file).pMethods).xClose.expect("xClose"))(real_file);
            }
            ffi::sqlite3_free(real_file.cast());
            return rc;
        }
        let lasting = !name.is_null() && flags & ffi::SQLITE_OPEN_DELETEONCLOSE == 0;
        let path = if lasting {
            Box::into_raw(Box::new(CStr::from_ptr(name).to_string_lossy().into_owned()))
        } else {
            ptr::null_mut()
        };
        let ours = file.cast::<CutFile>();
        ptr::write(ours, CutFile { base: ffi::sqlite3_file { pMethods: &METHODS }, real: real_file, path });
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn delete(_vfs: *mut ffi::sqlite3_vfs, name: *const c_char, sync_dir: c_int) -> c_int {
    unsafe {
        let mut disk = disk();
        if disk.off {
            return ffi::SQLITE_IOERR_DELETE;
        }
        disk.waiting.remove(CStr::from_ptr(name).to_string_lossy().as_ref());
        let real_vfs = real();
        ((*real_vfs).xDelete.expect("xDelete"))(real_vfs, name, sync_dir)
    }
}

unsafe extern "C" fn access(_vfs: *mut ffi::sqlite3_vfs, name: *const c_char, flags: c_int, out: *mut c_int) -> c_int {
    unsafe {
        if disk().off {
            return ffi::SQLITE_IOERR_ACCESS;
        }
        let real_vfs = real();
        ((*real_vfs).xAccess.expect("xAccess"))(real_vfs, name, flags, out)
    }
}

unsafe extern "C" fn full_pathname(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    size: c_int,
    out: *mut c_char,
) -> c_int {
    unsafe {
        let real_vfs = real();
        ((*real_vfs).xFullPathname.expect("xFullPathname"))(real_vfs, name, size, out)
    }
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let ours = file.cast::<CutFile>();
        let real = (*ours).real;
        let rc = ((*(*real).pMethods).xClose.expect("xClose"))(real);
        ffi::sqlite3_free(real.cast());
        if !(*ours).path.is_null() {
            drop(Box::from_raw((*ours).path));
        }
        (*file).pMethods = ptr::null();
        rc
    }
}

/// The file's size on disk with its waiting writes applied.
unsafe fn size_with_waiting(
    real: *mut ffi::sqlite3_file,
    methods: &ffi::sqlite3_io_methods,
    waiting: &[Pending],
) -> Result<u64, c_int> {
    let mut size: ffi::sqlite3_int64 = 0;
    let rc = unsafe { (methods.xFileSize.expect("xFileSize"))(real, &mut size) };
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    let mut size = size as u64;
    for pending in waiting {
        size = match pending {
            Pending::Write { offset, data } => size.max(offset + data.len() as u64),
            Pending::Truncate(to) => *to,
        };
    }
    Ok(size)
}

unsafe extern "C" fn read(
    file: *mut ffi::sqlite3_file,
    buffer: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    unsafe {
        let (real, methods, path) = parts(file);
        let disk = disk();
        if disk.off {
            return ffi::SQLITE_IOERR_READ;
        }
        let rc = (methods.xRead.expect("xRead"))(real, buffer, amount, offset);
        let Some(waiting) = path.and_then(|path| disk.waiting.get(path)) else { return rc };
        if rc != ffi::SQLITE_OK && rc != ffi::SQLITE_IOERR_SHORT_READ {
            return rc;
        }
        let out = std::slice::from_raw_parts_mut(buffer.cast::<u8>(), amount as usize);
        let start = offset as u64;
        let end = start + amount as u64;
        for pending in waiting {
            match pending {
                Pending::Write { offset, data } => {
                    let from = start.max(*offset);
                    let to = end.min(offset + data.len() as u64);
                    if from < to {
                        out[(from - start) as usize..(to - start) as usize]
                            .copy_from_slice(&data[(from - offset) as usize..(to - offset) as usize]);
                    }
                }
                Pending::Truncate(size) if *size < end => out[((*size).max(start) - start) as usize..].fill(0),
                Pending::Truncate(_) => {}
            }
        }
        match size_with_waiting(real, methods, waiting) {
            Ok(size) if size >= end => ffi::SQLITE_OK,
            Ok(size) => {
                out[(size.max(start) - start) as usize..].fill(0);
                ffi::SQLITE_IOERR_SHORT_READ
            }
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    buffer: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    unsafe {
        let (real, methods, path) = parts(file);
        let mut disk = disk();
        let Some(path) = path else { return (methods.xWrite.expect("xWrite"))(real, buffer, amount, offset) };
        if !tick(&mut disk, path) {
            return ffi::SQLITE_IOERR_WRITE;
        }
        let data = std::slice::from_raw_parts(buffer.cast::<u8>(), amount as usize).to_vec();
        disk.waiting.entry(path.to_owned()).or_default().push(Pending::Write { offset: offset as u64, data });
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    unsafe {
        let (real, methods, path) = parts(file);
        let mut disk = disk();
        let Some(path) = path else { return (methods.xTruncate.expect("xTruncate"))(real, size) };
        if !tick(&mut disk, path) {
            return ffi::SQLITE_IOERR_TRUNCATE;
        }
        disk.waiting.entry(path.to_owned()).or_default().push(Pending::Truncate(size as u64));
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    unsafe {
        let (real, methods, path) = parts(file);
        let mut disk = disk();
        let Some(path) = path else { return (methods.xSync.expect("xSync"))(real, flags) };
        if !tick(&mut disk, path) {
            return ffi::SQLITE_IOERR_FSYNC;
        }
        if !disk.syncs_reach_disk {
            return ffi::SQLITE_OK;
        }
        for pending in disk.waiting.remove(path).unwrap_or_default() {
            let rc = match pending {
                Pending::Write { offset, data } => (methods.xWrite.expect("xWrite"))(
                    real,
                    data.as_ptr().cast(),
                    data.len() as c_int,
                    offset as ffi::sqlite3_int64,
                ),
                Pending::Truncate(size) => (methods.xTruncate.expect("xTruncate"))(real, size as ffi::sqlite3_int64),
            };
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        (methods.xSync.expect("xSync"))(real, flags)
    }
}

unsafe extern "C" fn file_size(file: *mut ffi::sqlite3_file, size: *mut ffi::sqlite3_int64) -> c_int {
    unsafe {
        let (real, methods, path) = parts(file);
        let disk = disk();
        if disk.off {
            return ffi::SQLITE_IOERR_FSTAT;
        }
        let waiting = path.and_then(|path| disk.waiting.get(path)).map_or(&[][..], Vec::as_slice);
        match size_with_waiting(real, methods, waiting) {
            Ok(bytes) => {
                *size = bytes as ffi::sqlite3_int64;
                ffi::SQLITE_OK
            }
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        if disk().off {
            return ffi::SQLITE_IOERR_LOCK;
        }
        (methods.xLock.expect("xLock"))(real, level)
    }
}

unsafe extern "C" fn unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xUnlock.expect("xUnlock"))(real, level)
    }
}

unsafe extern "C" fn check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xCheckReservedLock.expect("xCheckReservedLock"))(real, out)
    }
}

unsafe extern "C" fn file_control(file: *mut ffi::sqlite3_file, op: c_int, arg: *mut c_void) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        match op {
            // A size hint would grow the real file behind the waiting writes' back; it is only a hint.
            ffi::SQLITE_FCNTL_SIZE_HINT => ffi::SQLITE_OK,
            // Memory-mapped reads would bypass the waiting writes: keep them off.
            ffi::SQLITE_FCNTL_MMAP_SIZE => {
                *arg.cast::<ffi::sqlite3_int64>() = 0;
                ffi::SQLITE_OK
            }
            _ => (methods.xFileControl.expect("xFileControl"))(real, op, arg),
        }
    }
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xSectorSize.expect("xSectorSize"))(real)
    }
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xDeviceCharacteristics.expect("xDeviceCharacteristics"))(real)
    }
}

unsafe extern "C" fn shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        if disk().off {
            return ffi::SQLITE_IOERR_SHMMAP;
        }
        (methods.xShmMap.expect("xShmMap"))(real, page, size, extend, out)
    }
}

unsafe extern "C" fn shm_lock(file: *mut ffi::sqlite3_file, offset: c_int, n: c_int, flags: c_int) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        if disk().off && flags & ffi::SQLITE_SHM_LOCK != 0 {
            return ffi::SQLITE_IOERR_SHMLOCK;
        }
        (methods.xShmLock.expect("xShmLock"))(real, offset, n, flags)
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xShmBarrier.expect("xShmBarrier"))(real)
    }
}

unsafe extern "C" fn shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    unsafe {
        let (real, methods, _) = parts(file);
        (methods.xShmUnmap.expect("xShmUnmap"))(real, delete)
    }
}
