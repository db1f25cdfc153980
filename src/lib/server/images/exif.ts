const GPS_IFD_POINTER = 0x8825;

/**
 * True when an EXIF block (as returned by `sharp().metadata().exif`) points to a GPS directory in
 * IFD0. Only used to tell the participant that location data was removed; the pipeline strips
 * all EXIF regardless, so a malformed block simply reads as "no GPS".
 */
export function exifHasGps(exif: Buffer | undefined): boolean {
	if (!exif || exif.length < 14) return false;
	const start = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
	const order = exif.subarray(start, start + 2).toString('latin1');
	if (order !== 'II' && order !== 'MM') return false;
	const le = order === 'II';
	const u16 = (o: number) => (le ? exif.readUInt16LE(o) : exif.readUInt16BE(o));
	const u32 = (o: number) => (le ? exif.readUInt32LE(o) : exif.readUInt32BE(o));
	if (u16(start + 2) !== 42) return false;
	const ifd0 = start + u32(start + 4);
	if (ifd0 + 2 > exif.length) return false;
	const entries = u16(ifd0);
	for (let i = 0; i < entries; i++) {
		const entry = ifd0 + 2 + i * 12;
		if (entry + 12 > exif.length) return false;
		if (u16(entry) === GPS_IFD_POINTER) return true;
	}
	return false;
}
