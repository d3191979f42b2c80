// Ends every run with one plain line, "Tests: N passed, N failed", that CI tools read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line =
      `\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed` +
      (skipped ? `, ${skipped} skipped` : '') +
      '\n';
    // After everything else Jest prints, so it is the run's closing line.
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = SummaryReporter;
