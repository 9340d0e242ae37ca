/**
 * The labelled question set behind the retrieval-quality numbers (bench/retrieval-quality.ts): hand-written
 * documents on distinct topics (the places, products, people and policies are made up) and questions, each
 * labelled with the one document that answers it. The first 25 documents and 46 questions are below; 40 more
 * documents and 127 more questions are in bench/retrieval-labelled/ (issue 15 item 3): 65 documents, 173
 * questions in all, two of the documents longer than one 800-token chunk.
 *
 * `kind` says how a question is worded against its document:
 *   name        — it names a person, product, place, code or identifier the document holds ("What is error KST-409?",
 *                 "Who is Ilse Marquardt?"), where keyword search should help;
 *   number      — it turns on a number the document holds: a date, size, version ("What was fixed in 3.2.1?");
 *   rare        — it turns on a rare term or piece of jargon of the document ("What is the Najdorf?", "--force-with-lease");
 *   lexical     — it reuses the document's ordinary words ("How often should I lubricate my bicycle chain?");
 *   paraphrase  — it asks the same thing in other words and shares few or no content words with the document
 *                 (synonyms, a description instead of a name), the case an embedding should win.
 * Some documents are deliberately close to each other (tea/espresso, returns/warranty, VPN/security key,
 * backups/git, two printers, two incidents, two ferries, two scientists) so that a shared word, or a close
 * embedding, can point at the wrong one.
 *
 * The split, fixed before any tuning: the questions of each kind are counted in QUESTIONS order from 0, and a
 * question whose count within its kind leaves remainder 2 when divided by 3 is HELD BACK (every third question of
 * each kind, so both parts hold every kind); fusion weights were tuned on the other two thirds only, and the
 * held-back third is reported separately. Do not reorder QUESTIONS or insert into it: append.
 */
import { DOCUMENTS_2 } from './retrieval-labelled/documents-2.js';
import { QUESTIONS_2 } from './retrieval-labelled/questions-2.js';

export interface LabelledDocument {
  /** Stable id; the benchmark indexes the document as file `doc-<id>.txt`. */
  id: string;
  title: string;
  text: string;
}

export const QUESTION_KINDS = ['name', 'number', 'rare', 'lexical', 'paraphrase'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export interface LabelledQuestion {
  question: string;
  /** The id of the document that answers it. */
  answer: string;
  kind: QuestionKind;
}

export type Split = 'tuning' | 'held-back';

/** The fixed split (see the top of this file): every third question of each kind is held back from tuning. */
export function splitOf(questions: readonly LabelledQuestion[], index: number): Split {
  const kind = questions[index]!.kind;
  const rank = questions.slice(0, index).filter((q) => q.kind === kind).length;
  return rank % 3 === 2 ? 'held-back' : 'tuning';
}

const DOCUMENTS_1: readonly LabelledDocument[] = [
  {
    id: 'lighthouse',
    title: 'Harrow Point Lighthouse',
    text:
      'Harrow Point Lighthouse was built in 1871 from local granite and stands 34 metres tall. ' +
      'Its first-order Fresnel lens flashes white once every ten seconds, and the light is visible for 22 nautical miles. ' +
      'Keepers lived in the cottages at its base until the station was automated in 1989. ' +
      'Visitors can climb the 142 steps to the gallery on summer weekends.',
  },
  {
    id: 'sourdough',
    title: 'Sourdough starter and baking',
    text:
      'Feed the sourdough starter at a ratio of 1:5:5 — one part starter, five parts flour, five parts water by weight. ' +
      'Kept at 24 °C, a healthy starter doubles in about six hours. ' +
      'Bake the loaf at 250 °C in a preheated Dutch oven: twenty minutes with the lid on to trap steam, then twenty-five minutes with the lid off to brown the crust.',
  },
  {
    id: 'honeybees',
    title: 'Honeybee colonies',
    text:
      'A honeybee queen can lay up to 2,000 eggs a day at the height of the season. ' +
      'Worker bees born in summer live only about six weeks, while winter workers survive for months. ' +
      'A forager returning from good flowers performs the waggle dance: the angle of the run shows the direction of the nectar relative to the sun, and its length shows the distance. ' +
      'Colonies reproduce by swarming in late spring.',
  },
  {
    id: 'octopus',
    title: 'Octopus biology',
    text:
      'An octopus has three hearts: two pump blood through the gills and one through the rest of the body. ' +
      'Its blood is blue because it carries oxygen with hemocyanin, a copper-based protein, instead of iron-based haemoglobin. ' +
      'About two thirds of its neurons sit in its eight arms. The giant Pacific octopus lives three to five years.',
  },
  {
    id: 'expenses',
    title: 'Travel expense policy',
    text:
      'Employees travelling on company business are reimbursed for meals up to 45 euros per day. ' +
      'Submit receipts in the expense tool within 30 days of the trip. ' +
      'Taxis are covered after 22:00 or when no public transport is available. ' +
      'Flights shorter than six hours must be booked in economy class.',
  },
  {
    id: 'parental-leave',
    title: 'Parental leave policy',
    text:
      'The primary caregiver receives 16 weeks of parental leave at full pay; the secondary caregiver receives 6 weeks. ' +
      'Leave applies equally to birth, adoption and surrogacy. ' +
      'Notify HR at least 8 weeks before the expected start date, and the leave may be split into at most two blocks within the first year.',
  },
  {
    id: 'vpn',
    title: 'VPN access',
    text:
      'Staff connect to the internal network through the WireGuard VPN client. ' +
      'Download your personal configuration file from the IT portal; the keys rotate automatically every 90 days. ' +
      'If the handshake fails, make sure UDP port 51820 is not blocked by the hotel or home router, then re-download the configuration.',
  },
  {
    id: 'security-keys',
    title: 'Hardware security keys',
    text:
      'A YubiKey hardware key is mandatory for access to production systems; SMS codes are not accepted. ' +
      'Every engineer receives two keys, one to carry and one to keep in a safe place at home. ' +
      'Report a lost or stolen key to the security desk within one hour so it can be revoked.',
  },
  {
    id: 'bicycle',
    title: 'Bicycle maintenance',
    text:
      'Clean and lubricate the chain every 300 kilometres, or after every ride in rain. ' +
      'Road bike tires should be inflated to 80–100 psi depending on rider weight. ' +
      'Replace the chain when a chain checker shows 0.5 % stretch; waiting longer wears out the cassette and chainrings as well.',
  },
  {
    id: 'volcano',
    title: 'Mount Keller',
    text:
      'Mount Keller is a stratovolcano 3,102 metres high whose last eruption was in 1912, when ash fell on villages 80 kilometres away. ' +
      'The observatory monitors it with 14 seismometers and measures sulfur dioxide from the crater rim each week. ' +
      'Climbing permits are suspended whenever the alert level rises above green.',
  },
  {
    id: 'tea',
    title: 'Brewing tea',
    text:
      'Green tea should be steeped at 75–80 °C for about two minutes; boiling water makes it bitter. ' +
      'Black tea takes freshly boiled water and four minutes. ' +
      'Matcha is sifted into a bowl and whisked with a bamboo chasen in a brisk W motion until a fine foam forms.',
  },
  {
    id: 'chess',
    title: 'The Sicilian Defence',
    text:
      'The Sicilian Defence begins 1.e4 c5: Black fights for the centre from the side instead of mirroring White. ' +
      'Its most famous line is the Najdorf Variation, reached after 5...a6. ' +
      'Bobby Fischer and Garry Kasparov both relied on it as Black in world championship play.',
  },
  {
    id: 'marathon',
    title: 'Marathon training',
    text:
      'When training for a marathon, increase the length of your weekly long run by no more than 10 %. ' +
      'Taper for the final three weeks before race day, cutting volume while keeping some pace work. ' +
      'Carbohydrate loading in the last two days tops up glycogen for the 42.195 kilometres.',
  },
  {
    id: 'compost',
    title: 'Composting at home',
    text:
      'A compost pile needs about three parts browns (dry leaves, cardboard) to one part greens (vegetable peelings, grass clippings) by volume. ' +
      'An active pile heats up to 55–65 °C. Turn it once a week to let air in. ' +
      'The compost is ready in two to three months, when it is dark, crumbly and smells of earth.',
  },
  {
    id: 'solar',
    title: 'Residential solar panels',
    text:
      'Monocrystalline solar panels convert 20–22 % of sunlight into electricity. ' +
      'For the best yearly output, tilt the panels at an angle equal to the latitude of the house, facing the equator. ' +
      'Output declines by about 0.5 % per year, and the inverter usually has to be replaced after 10 to 15 years.',
  },
  {
    id: 'returns',
    title: 'Northwind returns',
    text:
      'Items bought from the Northwind online store can be returned within 30 days of delivery, unworn and with the tags attached. ' +
      'A prepaid return label is included in every parcel. ' +
      'Refunds are issued to the original payment method within five business days of the return arriving at the warehouse.',
  },
  {
    id: 'warranty',
    title: 'Electronics warranty',
    text:
      'All electronics carry a two-year warranty against manufacturing defects. ' +
      'Batteries are covered for one year only. ' +
      'Water damage, drops and repairs by unauthorised shops are not covered. To make a claim, bring the device and the proof of purchase to any service centre.',
  },
  {
    id: 'venv',
    title: 'Python virtual environments',
    text:
      'Create a virtual environment with `python -m venv .venv` and activate it with `source .venv/bin/activate`. ' +
      'Install the dependencies with `pip install -r requirements.txt`. ' +
      'Add .venv to .gitignore: the environment is specific to one machine and must not be committed.',
  },
  {
    id: 'git-rebase',
    title: 'Rebasing with git',
    text:
      'Use `git rebase -i` to squash several work-in-progress commits into one tidy commit before opening a pull request. ' +
      'Never rebase a shared branch that others have already pulled. ' +
      'If you must rewrite your own pushed branch, push with `--force-with-lease` rather than `--force`, so you do not overwrite a teammate\'s work.',
  },
  {
    id: 'backups',
    title: 'Database backups',
    text:
      'The production database takes a full backup every night at 02:00 UTC, and write-ahead log segments are archived every five minutes. ' +
      'Backups are kept for 35 days in a separate region. ' +
      'The on-call team performs a restore drill every quarter to verify that backups can actually be recovered.',
  },
  {
    id: 'office',
    title: 'Office access',
    text:
      'Badges open the building from 07:00 to 20:00 on weekdays. ' +
      'Visitors sign in at the reception desk on the ground floor and must be accompanied at all times. ' +
      'Bicycle storage and showers are in the basement on level -1.',
  },
  {
    id: 'houseplants',
    title: 'Houseplant care',
    text:
      'The snake plant tolerates low light and needs water only every two to three weeks. ' +
      'Overwatering is the most common killer of houseplants: soggy soil causes root rot. ' +
      'A fiddle-leaf fig, by contrast, wants bright indirect light and drops its leaves when moved.',
  },
  {
    id: 'espresso',
    title: 'Pulling an espresso',
    text:
      'A standard double espresso uses an 18 g dose of ground coffee and yields 36 g of liquid in 25 to 30 seconds at 9 bar. ' +
      'If the shot runs faster than that, grind finer; if it runs slower, grind coarser. ' +
      'Preheat the cup and portafilter so the coffee does not cool on contact.',
  },
  {
    id: 'aqueducts',
    title: 'Roman aqueducts',
    text:
      'The first Roman aqueduct, the Aqua Appia, was built in 312 BC. ' +
      'Aqueducts relied on gravity alone, descending at a gentle, constant gradient: the Nîmes aqueduct drops only about 25 cm per kilometre. ' +
      'Its most famous bridge, the Pont du Gard, is 49 metres high.',
  },
  {
    id: 'aurora',
    title: 'Northern lights',
    text:
      'The northern lights appear when charged particles from the solar wind strike the upper atmosphere. ' +
      'Oxygen at 100 to 300 km altitude gives the common green glow, while nitrogen adds purple and blue. ' +
      'They are seen most often between 65° and 70° north, and the Kp index forecasts how far south they may reach.',
  },
];

const QUESTIONS_1: readonly LabelledQuestion[] = [
  { question: 'How tall is Harrow Point Lighthouse?', answer: 'lighthouse', kind: 'name' },
  { question: 'What ratio of flour and water should I feed my sourdough starter?', answer: 'sourdough', kind: 'lexical' },
  { question: 'How long does bread stay covered in the pot while it cooks?', answer: 'sourdough', kind: 'paraphrase' },
  { question: 'How do insects tell their hive-mates where to find food?', answer: 'honeybees', kind: 'paraphrase' },
  { question: 'What does the waggle dance tell other bees?', answer: 'honeybees', kind: 'rare' },
  { question: 'How many hearts does an octopus have?', answer: 'octopus', kind: 'lexical' },
  { question: 'What gives the eight-limbed mollusc its unusual circulatory fluid colour?', answer: 'octopus', kind: 'paraphrase' },
  { question: 'What is the daily limit for meal reimbursement?', answer: 'expenses', kind: 'lexical' },
  { question: 'Will my employer pay for my supper on a work journey?', answer: 'expenses', kind: 'paraphrase' },
  { question: 'How many weeks of parental leave does the primary caregiver get?', answer: 'parental-leave', kind: 'lexical' },
  { question: 'How much time off do new mums and dads get after a baby arrives?', answer: 'parental-leave', kind: 'paraphrase' },
  { question: 'Which UDP port does the WireGuard VPN use?', answer: 'vpn', kind: 'name' },
  { question: 'I cannot reach company systems from my laptop when working remotely — what should I check?', answer: 'vpn', kind: 'paraphrase' },
  { question: 'What should I do if I lose my YubiKey?', answer: 'security-keys', kind: 'name' },
  { question: 'Do I need a physical token to log in to live servers?', answer: 'security-keys', kind: 'paraphrase' },
  { question: 'How often should I lubricate my bicycle chain?', answer: 'bicycle', kind: 'lexical' },
  { question: 'How hard should I pump up my racing cycle\'s tyres?', answer: 'bicycle', kind: 'paraphrase' },
  { question: 'When was the last eruption of Mount Keller?', answer: 'volcano', kind: 'name' },
  { question: 'How many seismometers watch Mount Keller?', answer: 'volcano', kind: 'name' },
  { question: 'At what temperature should green tea be steeped?', answer: 'tea', kind: 'lexical' },
  { question: 'How do I prepare the powdered Japanese drink so it gets frothy?', answer: 'tea', kind: 'paraphrase' },
  { question: 'Which opening did two legendary title holders favour with the dark pieces?', answer: 'chess', kind: 'paraphrase' },
  { question: 'What is the Najdorf?', answer: 'chess', kind: 'rare' },
  { question: 'By how much should I increase my weekly long run for a marathon?', answer: 'marathon', kind: 'lexical' },
  { question: 'How long until kitchen scraps become garden soil?', answer: 'compost', kind: 'paraphrase' },
  { question: 'How efficient are monocrystalline solar panels?', answer: 'solar', kind: 'rare' },
  { question: 'How steeply should rooftop photovoltaic modules be mounted?', answer: 'solar', kind: 'paraphrase' },
  { question: 'Within how many days can I return an item to the Northwind store?', answer: 'returns', kind: 'name' },
  { question: 'When do I get my money back after sending clothes back?', answer: 'returns', kind: 'paraphrase' },
  { question: 'Is water damage covered by the warranty?', answer: 'warranty', kind: 'lexical' },
  { question: 'My phone stopped holding a charge after eighteen months — will you fix it for free?', answer: 'warranty', kind: 'paraphrase' },
  { question: 'How do I create a Python virtual environment?', answer: 'venv', kind: 'lexical' },
  { question: 'Why does .venv belong in .gitignore?', answer: 'venv', kind: 'rare' },
  { question: 'How do I tidy a messy history of tiny saves into a single change before review?', answer: 'git-rebase', kind: 'paraphrase' },
  { question: 'When should I push with --force-with-lease?', answer: 'git-rebase', kind: 'rare' },
  { question: 'How long are database backups kept?', answer: 'backups', kind: 'lexical' },
  { question: 'If our server crashes, how much recent data could we lose?', answer: 'backups', kind: 'paraphrase' },
  { question: 'Where do visitors sign in at the office reception?', answer: 'office', kind: 'lexical' },
  { question: 'Where can I leave my bike at work?', answer: 'office', kind: 'paraphrase' },
  { question: 'How often should a snake plant be watered?', answer: 'houseplants', kind: 'lexical' },
  { question: 'What dose and yield should a double espresso have?', answer: 'espresso', kind: 'lexical' },
  { question: 'My morning brew from the machine pours too quickly — what should I adjust?', answer: 'espresso', kind: 'paraphrase' },
  { question: 'How high is the Pont du Gard?', answer: 'aqueducts', kind: 'name' },
  { question: 'How did ancient engineers move water over long distances without pumps?', answer: 'aqueducts', kind: 'paraphrase' },
  { question: 'How close to the pole should I travel to see the sky shimmer at night?', answer: 'aurora', kind: 'paraphrase' },
  { question: 'What does the Kp index forecast?', answer: 'aurora', kind: 'rare' },
];

export const DOCUMENTS: readonly LabelledDocument[] = [...DOCUMENTS_1, ...DOCUMENTS_2];
export const QUESTIONS: readonly LabelledQuestion[] = [...QUESTIONS_1, ...QUESTIONS_2];
