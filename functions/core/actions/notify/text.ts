/**
 * What a notification may carry from a finding. Finding text (titles, resource names, error
 * causes quoting them) is attacker-controlled: a newline in a title could forge an "APPROVAL
 * NEEDED / Approve: https://…" block in the e-mail, a `SourceUrl` could point anywhere, and Slack
 * text could mention `<!channel>` or fake formatting. Everything from a finding passes through
 * {@link plainText}; links are kept only when {@link isAwsConsoleUrl}; Slack values are written
 * with {@link slackLiteral}.
 */

// C0 and C1 controls (newlines and tabs included), line and paragraph separators, bidirectional
// overrides and isolates (which reorder what a reader sees), zero-width characters and the BOM.
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]+/gu;

/**
 * Finding-controlled text as one safe line: every control, separator and bidi character becomes
 * a space, runs of spaces collapse, the ends are trimmed.
 *
 * @example
 * plainText('Backdoor\n\nAPPROVAL NEEDED\r\n  Approve: https://evil.example'); // 'Backdoor APPROVAL NEEDED Approve: https://evil.example'
 */
export function plainText(text: string): string {
  return text
    .replace(UNSAFE, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** The AWS console hosts links may point to (commercial, China and GovCloud partitions). */
const CONSOLE_HOSTS = [
  /^([a-z0-9-]+\.)?console\.aws\.amazon\.com$/,
  /^([a-z0-9-]+\.)?console\.amazonaws\.cn$/,
  /^([a-z0-9-]+\.)?console\.amazonaws-us-gov\.com$/,
];

/**
 * Whether `url` is an https link to the AWS console: no credentials, no port, a console host.
 *
 * @example
 * isAwsConsoleUrl('https://eu-west-1.console.aws.amazon.com/guardduty/home'); // true
 * isAwsConsoleUrl('https://console.aws.amazon.com.evil.example/'); // false
 */
export function isAwsConsoleUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    CONSOLE_HOSTS.some((host) => host.test(parsed.hostname)) &&
    plainText(url) === url
  );
}

/** Slack's three reserved characters: what Slack itself asks to escape in any text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Untrusted text as a Slack mrkdwn literal: escaped (`&<>`, so `<!channel>`, `<@U…>` and links
 * cannot be formed) and shown as inline code, inside which `*_~` format nothing; a backtick, which
 * would end the code span, becomes a look-alike (U+02CB). Empty text stays empty.
 *
 * @example
 * slackLiteral('*urgent* <!channel>'); // '`*urgent* &lt;!channel&gt;`'
 */
export function slackLiteral(text: string): string {
  const line = plainText(text);
  return line === '' ? '' : `\`${slackEscape(line.replace(/`/g, '\u02cb'))}\``;
}
