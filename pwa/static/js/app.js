// The field app's entry module (filled in by the offline-first work).
