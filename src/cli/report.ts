/** A check's result line: what was checked, and for a problem, how to fix it. */
export interface ReportItem {
  status: 'ok' | 'fail' | 'warn' | 'skip';
  title: string;
  detail?: string;
  fix?: string;
}

const SYMBOL: Record<ReportItem['status'], string> = { ok: '✓', fail: '✗', warn: '!', skip: '-' };
const COLOR: Record<ReportItem['status'], string> = { ok: '32', fail: '31', warn: '33', skip: '90' };

export class Report {
  readonly items: ReportItem[] = [];

  ok(title: string, detail?: string): void {
    this.items.push({ status: 'ok', title, ...(detail ? { detail } : {}) });
  }

  fail(title: string, fix: string, detail?: string): void {
    this.items.push({ status: 'fail', title, fix, ...(detail ? { detail } : {}) });
  }

  warn(title: string, fix?: string): void {
    this.items.push({ status: 'warn', title, ...(fix ? { fix } : {}) });
  }

  skip(title: string, why: string): void {
    this.items.push({ status: 'skip', title, detail: why });
  }

  get failures(): number {
    return this.items.filter((i) => i.status === 'fail').length;
  }

  get warnings(): number {
    return this.items.filter((i) => i.status === 'warn').length;
  }

  render(color: boolean): string {
    const paint = (status: ReportItem['status'], text: string): string => (color ? `\u001b[${COLOR[status]}m${text}\u001b[0m` : text);
    const lines: string[] = [];
    for (const item of this.items) {
      lines.push(`  ${paint(item.status, SYMBOL[item.status])} ${item.title}`);
      if (item.detail) lines.push(`      ${item.detail}`);
      if (item.fix) lines.push(`      fix: ${item.fix}`);
    }
    const summary =
      this.failures === 0
        ? paint('ok', `All checks passed${this.warnings ? ` (${this.warnings} warning${this.warnings > 1 ? 's' : ''})` : ''}.`)
        : paint('fail', `${this.failures} problem${this.failures > 1 ? 's' : ''}${this.warnings ? `, ${this.warnings} warning${this.warnings > 1 ? 's' : ''}` : ''}.`);
    lines.push('', summary);
    return lines.join('\n');
  }
}
