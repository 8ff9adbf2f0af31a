import { scoreSentiment } from '../src/sentiment';
import { sentimentWords } from '../src/sentiment-words';
import { tokenize } from '../src/tokens';

const rules = (text: string) => scoreSentiment(tokenize(text), text);
/** The product's default sentiment: the rules and the shipped word model. */
const sentiment = (text: string) => {
  const tokens = tokenize(text);
  return sentimentWords().refine(tokens, scoreSentiment(tokens, text));
};

describe('situational complaints', () => {
  test.each([
    '@delta on hold 2 hours and counting',
    'been on hold for over an hour with my bank',
    'waited 45 mins for a table',
    '3 hours on the tarmac',
    'Stuck at JFK since this morning',
    'stranded in Denver',
    'still waiting for my refund',
    'still no reply to my email',
    'my package never arrived',
    "I haven't received the replacement card",
    'cant get through to anyone',
    'No one answers the phone',
    'thanks for the canned reply',
    'Thank you for your automated response',
    'help us!!!',
    'please help!!',
  ])('"%s" is negative', (text) => {
    expect(rules(text)).toMatchObject({ label: 'negative', complaint: true });
    expect(sentiment(text).label).toBe('negative');
  });

  test('praise beside a situation is sarcasm', () => {
    expect(rules('Great, another 2 hours delay')).toMatchObject({ label: 'negative', sarcasm: true });
  });

  test.each([
    'thank you so much, the crew was great',
    'Please help, I want to change my booking',
    'Can you help me with my booking?',
    'flight leaves in 2 hours',
    'see you in 3 days!',
    'still the best airline',
    'still love you guys',
    'About an hour later, Thor woke up',
    'we sat at the diner for three hours talking about life',
  ])('"%s" is no situational complaint', (text) => {
    expect(rules(text).complaint).toBe(false);
    expect(sentiment(text).label).not.toBe('negative');
  });
});
