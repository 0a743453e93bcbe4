/** A one-line progress bar: done/total, rate and ETA; on a pipe, one plain line every few seconds instead. */
export class ProgressBar {
  current = 0;
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly out: NodeJS.WriteStream,
    private readonly width = 30,
  ) {}

  update(current: number): void {
    this.current = current;
    // Events appended during the rebuild are part of it too.
    if (current > this.total) this.total = current;
    if (this.out.isTTY) this.out.write(`\r${this.line()}`);
    else if (Date.now() - this.lastLine >= 2000) {
      this.lastLine = Date.now();
      this.out.write(`${this.line()}\n`);
    }
  }

  done(): void {
    this.update(Math.max(this.current, this.total));
    this.out.write(this.out.isTTY ? '\n' : `${this.line()}\n`);
  }

  line(): string {
    const share = this.total > 0 ? Math.min(1, this.current / this.total) : 1;
    const filled = Math.round(share * this.width);
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.current / seconds;
    const eta = rate > 0 ? Math.max(0, (this.total - this.current) / rate) : Infinity;
    return (
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ` +
      `${(share * 100).toFixed(0).padStart(3)}% ${this.current.toLocaleString('en')}/${this.total.toLocaleString('en')} events ` +
      `${Math.round(rate).toLocaleString('en')} events/s ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}`
    );
  }
}
