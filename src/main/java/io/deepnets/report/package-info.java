/**
 * Run folders and their files: atomic writes, history CSV, metrics JSON with provenance, confusion CSV.
 * Reads what training produced; never trains.
 */
package io.deepnets.report;
