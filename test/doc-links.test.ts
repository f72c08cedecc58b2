/**
 * The documentation holds together (issue 25): every relative link of README.md, CHANGELOG.md and docs/**.md
 * reaches a file or folder of the repository, and every `#anchor` into a Markdown file names one of its headings
 * (as GitHub makes them); the README stays a guide that links every page of docs/; and docs/cli.md names every
 * command the CLI has and every option of each. Fast: no servers, only `--help` runs of the prebuilt CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_BIN } from '../client/testing/run-cli.js';
import { projectRoot } from '../local/tools.js';

const run = promisify(execFile);

function markdownFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(file);
    return entry.name.endsWith('.md') ? [file] : [];
  });
}

const DOCS = ['README.md', 'CHANGELOG.md', ...markdownFiles('docs')];
const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

/** The text without fenced code blocks and code spans (links there are examples, not links). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every inline link target `[text](target)` of the file's prose (images too); a code span as the text is fine. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g)].map((match) =>
    (match[1] ?? '').replace(/^<(.*)>$/, '$1'),
  );
}

/** The links of `markdown` (the text of `file`, a path from the project root) that reach nothing, each with why. */
function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:: not ours to check
    const [pathPart = '', anchor] = target.split('#', 2);
    const resolved =
      pathPart === '' ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(pathPart)));
    if (pathPart !== '' && (resolved.startsWith('..') || !existsSync(path.join(projectRoot, resolved)))) {
      broken.push(`${target}: no ${resolved}`);
      continue;
    }
    const anchors =
      anchor !== undefined && resolved.endsWith('.md')
        ? headingAnchors(resolved === file ? markdown : read(resolved))
        : undefined;
    if (anchors && !anchors.has(anchor ?? '')) broken.push(`${target}: ${resolved} has no heading #${anchor}`);
  }
  return broken;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (match[1] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  return anchors;
}

describe('links in README.md, CHANGELOG.md and docs/', () => {
  it('finds the pages', () => {
    expect(DOCS).toEqual(
      expect.arrayContaining([
        'README.md',
        'CHANGELOG.md',
        'docs/cli.md',
        'docs/migration-file.md',
        'docs/architecture.md',
      ]),
    );
  });

  it.each(DOCS)('%s: every relative link reaches a file, and every #anchor a heading', (file) => {
    expect(brokenLinks(file, read(file)), `${file}: broken links`).toEqual([]);
  });

  it('names a missing file, a missing heading and a link out of the repository; a good link passes', () => {
    const page =
      '[a](nope.md) [b](cli.md#nope) [c](cli.md#exit-codes) [d](#here) [e](#gone) [f](../../x.md) [g](../schema)\n## Here\n';
    expect(brokenLinks('docs/page.md', page)).toEqual([
      'nope.md: no docs/nope.md',
      'cli.md#nope: docs/cli.md has no heading #nope',
      '#gone: docs/page.md has no heading #gone',
      '../../x.md: no ../x.md',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    const anchors = headingAnchors(
      '# A `kind: online` page\n## Scale: concurrent migrations\n## Scale: concurrent migrations\n## `npm start`\n',
    );
    expect([...anchors]).toEqual([
      'a-kind-online-page',
      'scale-concurrent-migrations',
      'scale-concurrent-migrations-1',
      'npm-start',
    ]);
    expect(
      linkTargets('see [`x`](a.md#b) and `[not](a.md)`\n```sh\n[no](c.md)\n```\n[y](<d.md>) [z](e.md "title")'),
    ).toEqual(['a.md#b', 'd.md', 'e.md']);
  });
});

describe('README.md is a guide', () => {
  const readme = read('README.md');

  it('is at most 200 lines, with the two Quickstart commands, a Mermaid diagram and the architecture linked near the top', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toMatch(/```mermaid\n/);
    expect(readme.indexOf('docs/architecture.md')).toBeGreaterThan(0);
    expect(readme.indexOf('docs/architecture.md')).toBeLessThan(readme.indexOf('## Quickstart'));
  });

  it('links every page of docs/', () => {
    for (const page of markdownFiles('docs')) expect(readme, `README.md links ${page}`).toContain(`](${page})`);
  });
});

describe('docs/cli.md', () => {
  const doc = read('docs/cli.md');
  const help = async (...args: string[]) =>
    (await run(process.execPath, [CLI_BIN, ...args, '--help'], { cwd: projectRoot })).stdout;
  // Documented once, under "Connecting to Temporal", for every command that talks to Temporal.
  const SHARED = new Set(['--address', '--namespace', '--profile', '--help']);

  it('documents every command, and every option of each in its section', async () => {
    const commands = [...(await help()).matchAll(/^ {2}([a-z][a-z-]*) /gm)]
      .map((match) => match[1] ?? '')
      .filter((name) => name !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(16);
    const helps = await Promise.all(commands.map((command) => help(command)));
    const missing: string[] = [];
    for (const [index, command] of commands.entries()) {
      const start = doc.indexOf(`### \`${command}\``);
      if (start === -1) {
        missing.push(`${command}: no section`);
        continue;
      }
      const end = doc.indexOf('\n## ', start);
      const section = doc.slice(start, end === -1 ? undefined : end).split('\n### ')[0] ?? '';
      const options = new Set(
        [...(helps[index] ?? '').matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((match) => match[1] ?? ''),
      );
      for (const option of options)
        if (!SHARED.has(option) && !section.includes(option)) missing.push(`${command} ${option}`);
    }
    expect(missing).toEqual([]);
  });

  it('links the JSON Schema of each documented --json shape, and each exists', () => {
    for (const name of ['status', 'list', 'check', 'start', 'dry-run']) {
      expect(doc).toContain(`](../schema/${name}-output.schema.json)`);
      expect(existsSync(path.join(projectRoot, 'schema', `${name}-output.schema.json`))).toBe(true);
    }
  });
});
