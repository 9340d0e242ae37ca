/**
 * The second batch of labelled documents (issue 15 item 3): 40 more hand-written documents, made up like the
 * first 25. Chosen so that keyword search has something to win: product codes, error codes, people, incident
 * numbers, versions, dates and rare terms, several of them in near-twin documents (two printers, two
 * incidents, two ferries, two people in one field) whose embeddings sit close together. The first two are long
 * (more than one 800-token chunk) so that a question can point into the middle of a multi-chunk file.
 */
import type { LabelledDocument } from '../retrieval-questions.js';

export const DOCUMENTS_2: readonly LabelledDocument[] = [
  {
    id: 'orion-router',
    title: 'Orion X200 router: user guide',
    text: [
      'Getting started. The Orion X200 is a dual-band Wi-Fi 6 router for homes and small offices. Connect the blue WAN port to your modem with the supplied cable, plug in the 12 V power adapter and wait about two minutes until the status light on the front turns solid white. The router then broadcasts two networks, one on 2.4 GHz and one on 5 GHz, whose names and the shared password are printed on the sticker underneath. You can manage the router from the Orion Home app or from a browser at http://192.168.8.1; the first time you sign in you will be asked to choose an administrator password of at least ten characters.',
      'Status light. Solid white means everything is working. Slow blinking white means the router is starting up or installing an update; do not unplug it. Solid amber means the router has power but no internet connection: check the cable to the modem and restart the modem first. Fast blinking amber means the router is in pairing mode and is looking for a satellite. Solid red means the router has overheated or found a hardware fault; unplug it for ten minutes and move it somewhere with air around it. If the light stays red after that, contact support.',
      'Error codes. The app shows a code when something goes wrong. E-101 means the WAN cable is not detected. E-214 means the internet provider rejected the login details; this happens with PPPoE connections when the user name or password is wrong. E-317 means the router could not get an address from the modem by DHCP. E-422 means a firmware download failed its signature check and was discarded; the router keeps running the old version and tries again the next night. E-530 means the mesh satellite lost contact with the main router for more than five minutes.',
      'Mesh satellites. Up to four Orion S20 satellites can extend the network. Hold the pair button on the back of the router for three seconds until the light blinks amber quickly, then power on the satellite within two minutes of the router. Place each satellite halfway between the router and the area with poor coverage, not in the dead spot itself, and no more than two rooms away. Satellites connect to the router over a dedicated 5 GHz backhaul channel, so they do not slow down the devices on your network.',
      'Firmware. The X200 checks for new firmware every night between 03:00 and 05:00 and installs it automatically unless you turn automatic updates off in the app. Version 2.4.0 added WPA3 support, version 2.5.1 fixed a memory leak that made some routers restart every few days, and version 2.6.0 introduced a guest network with its own bandwidth limit. Never unplug the router while the light is blinking white during an update.',
      'Parental controls and guests. Parents can create a profile for each child, add their devices to it, and set a bedtime after which those devices lose internet access. Content filtering blocks adult, gambling and malware sites for a profile. The guest network keeps visitors away from your own devices and printers; you can limit it to 20 Mbit/s and make it switch itself off after a chosen number of hours.',
      'Placement and interference. Put the router in the open, at least a metre above the floor and away from microwave ovens, baby monitors, aquariums and thick concrete walls, all of which weaken the signal. The 2.4 GHz band reaches further through walls but is slower and more crowded; the 5 GHz band is faster but fades after two walls. The router chooses the least busy channel every night, and you can force a new scan from the app under Wireless, Channel optimisation, if neighbours\' networks cause dropouts during the day.',
      'Troubleshooting slow speeds. First run the speed test in the app, which measures the line at the router itself; if that is fast but your device is slow, the problem is the Wi-Fi, not the internet connection. Move closer, switch the device to the 5 GHz network, or add a satellite. Old devices that support only Wi-Fi 4 can slow everyone down: the app lists each device with its Wi-Fi standard so you can spot them. A weekly scheduled restart, set under System, Maintenance, clears memory on routers that run for months without a break.',
      'Port forwarding and factory reset. Port forwarding rules are under Advanced, Network, Port forwarding; each rule maps an external port to a device and port on your network. To restore the factory settings, press and hold the recessed reset button with a paperclip for ten seconds while the router is on. The router restarts with the network name and password on the sticker, and every rule, profile and paired satellite is erased.',
    ].join('\n\n'),
  },
  {
    id: 'kestrel-sdk',
    title: 'Kestrel payments SDK: release notes',
    text: [
      'Version 3.0.0, released 12 January 2026. The Kestrel SDK now requires Node 20 or newer and ships as an ES module only; CommonJS users must move to dynamic import or stay on the 2.x line, which receives security fixes until 31 December 2026. The client constructor takes a single options object instead of positional arguments. Amounts are always integers in the smallest unit of the currency, so 12.50 euros is written 1250. The deprecated charges.capture method has been removed: use payments.confirm instead.',
      'Version 3.1.0, released 3 March 2026. Added idempotency keys to every method that creates something: pass idempotencyKey and a retried request will never charge a customer twice. Added automatic retries with exponential backoff for network errors and for HTTP 502, 503 and 504 answers, at most three attempts by default. Webhook signatures are now verified with a constant-time comparison. The error KST-409 (idempotency conflict) is raised when the same key is reused with a different request body.',
      'Version 3.2.0, released 28 April 2026. Added the payouts resource for sending money to connected accounts, with payouts.create, payouts.retrieve and payouts.list. List methods now return an async iterator that fetches the next page on demand, so a for await loop walks every page. The maximum page size went up from 50 to 100. Timeouts can now be set per request; the default stays at 30 seconds.',
      'Version 3.2.1, released 9 May 2026. Fixed a bug where a refund of a partially captured payment was rejected with KST-422 (amount exceeds capturable) even when the amount was valid. Fixed the TypeScript type of metadata, which now accepts up to 50 keys of 40 characters each. Reduced the size of the package from 1.9 MB to 640 kB by dropping a bundled copy of a date library.',
      'Known issues and upgrading. Under Bun the streaming webhook parser can drop the last event of a batch; a fix is planned for 3.3.0. When upgrading from 2.x, run the codemod with npx kestrel-codemod v3 in the root of your project: it rewrites constructor calls, replaces charges.capture with payments.confirm and converts decimal amounts to integer units where it can prove the currency. Read every change it makes before you commit it, and test refunds and payouts in the sandbox environment, whose keys start with sk_test_, before switching to live keys that start with sk_live_.',
      'Error reference. KST-401 means the API key is missing or revoked. KST-403 means the key is valid but lacks the permission for the resource, for example a read-only key that tried to create a payout. KST-404 means the object does not exist or belongs to another account. KST-409 is the idempotency conflict described above. KST-422 is raised for requests that are well formed but cannot be carried out, such as refunding more than was paid. KST-429 means the account sent more than 100 requests per second; the SDK waits for the time given in the Retry-After header before it retries.',
      'Testing and sandbox. The sandbox behaves like the live service but moves no real money. Card number 4000 0000 0000 0002 always declines with the reason insufficient_funds, and card 4000 0000 0000 3220 always asks for a 3-D Secure challenge, so both paths can be tested end to end. Sandbox webhooks are delivered from a separate set of addresses, listed on the status page, which you should allow through your firewall. Test objects are deleted after 90 days.',
      'Logging and telemetry. Set logLevel to debug to print every request and answer, with card numbers and secrets masked. The SDK sends no telemetry unless you set telemetry to true, in which case it reports the SDK version, the runtime and the latency of each request, never amounts or customer data. Each error carries a requestId that support needs in order to trace a failing call; include it when you open a ticket.',
      'Support policy. Each minor version is supported for twelve months after the next minor version is released. Security advisories are published on the status page and sent to the technical contact of every account. Report a vulnerability to the security team by encrypted email rather than opening a public issue; reports are acknowledged within two business days, and valid findings are paid under the bug bounty programme.',
    ].join('\n\n'),
  },
  {
    id: 'printer-lp500',
    title: 'Vantor LP-500 laser printer: error E47',
    text:
      'On the Vantor LP-500, error E47 means paper is stuck in the fuser unit at the back of the printer. ' +
      'Switch the printer off and let the fuser cool for 15 minutes, open the rear door and pull the sheet out slowly in the direction of the paper path. ' +
      'Repeated E47 jams usually mean the paper is heavier than the 120 g/m² the LP-500 can feed.',
  },
  {
    id: 'printer-lp700',
    title: 'Vantor LP-700 laser printer: error E52',
    text:
      'On the Vantor LP-700, error E52 means the toner sensor cannot read the cartridge chip. ' +
      'Remove the cartridge, wipe the gold contacts with a dry lint-free cloth and reseat it firmly until it clicks. ' +
      'Refilled or third-party cartridges often trigger E52, because the LP-700 accepts only chips with firmware 7.3 or newer.',
  },
  {
    id: 'thermostat',
    title: 'Calderon T3 smart thermostat',
    text:
      'The Calderon T3 thermostat runs on two AA batteries, which last about a year; a battery symbol appears when fewer than 30 days remain. ' +
      'Fault code F2 means the boiler did not answer the call for heat within 20 minutes. ' +
      'The eco schedule lowers the temperature to 17 °C at night and while everyone is out, and learns the household\'s routine over two weeks.',
  },
  {
    id: 'dishwasher',
    title: 'Brevik DW-60 dishwasher',
    text:
      'The Brevik DW-60 shows code i30 when water has leaked into the base tray and the safety float has cut the supply. ' +
      'Tilt the machine back to drain the tray and check the door seal and the inlet hose. ' +
      'Clean the coarse filter at the bottom of the tub every two weeks, and top up the rinse aid when the star-shaped light comes on.',
  },
  {
    id: 'marquardt',
    title: 'Dr. Ilse Marquardt, glaciologist',
    text:
      'Dr. Ilse Marquardt leads the glacier monitoring programme at the Bergen Polar Institute. ' +
      'Her team drills ice cores on the Jostedal ice cap every spring and has shown that its outlet glaciers retreated 1.2 km between 1998 and 2024. ' +
      'She received the Vega Medal in 2021 for her ground-penetrating radar surveys of subglacial lakes.',
  },
  {
    id: 'lindqvist',
    title: 'Dr. Anders Lindqvist, oceanographer',
    text:
      'Dr. Anders Lindqvist studies deep-water circulation in the North Atlantic at the Gothenburg Marine Centre. ' +
      'His moorings in the Faroe Bank Channel have recorded the overflow of cold water from the Nordic Seas since 2003. ' +
      'He chairs the steering group of the Argo float programme for the Nordic countries.',
  },
  {
    id: 'wielgosz',
    title: 'Tomasz Wielgosz and the Piekarnia Złota bakeries',
    text:
      'Tomasz Wielgosz opened the first Piekarnia Złota bakery in Kraków in 1994 with a single wood-fired oven. ' +
      'The chain now has 38 shops in southern Poland, all baking rye bread from a starter kept alive since the first day. ' +
      'Wielgosz handed the business to his daughter Marta in 2019 and still teaches an apprentice class each autumn.',
  },
  {
    id: 'okonkwo',
    title: 'Team directory: data platform',
    text:
      'Amara Okonkwo-Reyes heads the data platform team, which runs the warehouse, the event pipeline and the feature store. ' +
      'Ask in the #data-platform channel before requesting a new dataset; access requests go through the DPR form and are reviewed within two working days. ' +
      'The team is on call in weekly rotations, handing over on Tuesdays at 10:00.',
  },
  {
    id: 'inc-2291',
    title: 'Incident INC-2291: expired certificate',
    text:
      'On 14 March 2025 the customer portal was unreachable for 47 minutes because the TLS certificate of the load balancer expired. ' +
      'Renewal had been automated, but the renewal job had been failing silently since a DNS provider change in January. ' +
      'Follow-ups: alert 21 days before any certificate expires, and page the on-call engineer when the renewal job fails twice.',
  },
  {
    id: 'inc-2307',
    title: 'Incident INC-2307: DNS misconfiguration',
    text:
      'On 2 April 2025 half of all API requests failed for 18 minutes after a change to the DNS zone removed the AAAA record of the API gateway. ' +
      'Clients on IPv6 networks could not resolve the gateway, while IPv4 clients were unaffected, which delayed the diagnosis. ' +
      'Follow-ups: zone changes now go through review, and a synthetic check resolves every public name over IPv6 each minute.',
  },
  {
    id: 'ledger-api',
    title: 'Ledger API rate limits',
    text:
      'The internal Ledger API allows 600 requests per minute per service account and 20 concurrent requests. ' +
      'Past either limit it answers HTTP 429 with a Retry-After header in seconds; clients must wait at least that long before retrying. ' +
      'Batch endpoints count as one request per 100 entries, so send postings in batches rather than one by one.',
  },
  {
    id: 'crashloop',
    title: 'Pods in CrashLoopBackOff',
    text:
      'A pod in CrashLoopBackOff starts, exits and is restarted by the kubelet with a growing delay, up to five minutes between attempts. ' +
      'Run kubectl logs with --previous to see the output of the container that crashed, and kubectl describe pod for the exit code and events. ' +
      'Exit code 137 means the container was killed, usually by the out-of-memory killer because it exceeded its memory limit.',
  },
  {
    id: 'autovacuum',
    title: 'PostgreSQL autovacuum and wraparound',
    text:
      'PostgreSQL transaction IDs are 32-bit counters, so every table must be frozen by VACUUM before about two billion transactions pass, or the server refuses writes to prevent wraparound. ' +
      'Autovacuum freezes tables automatically once their oldest unfrozen XID is older than autovacuum_freeze_max_age, 200 million by default. ' +
      'Long-running transactions and abandoned replication slots hold back the horizon and stop vacuum from removing dead rows.',
  },
  {
    id: 'ferry-lindholm',
    title: 'Lindholm–Sandvik ferry',
    text:
      'The car ferry between Lindholm and Sandvik sails every 40 minutes from 06:00 to 23:20 and the crossing takes 25 minutes. ' +
      'A single ticket costs 6 euros for foot passengers and 24 euros for a car with driver. ' +
      'In winter storms the route is replaced by a bus over the Skarvik bridge.',
  },
  {
    id: 'ferry-oyna',
    title: 'Øyna island boat',
    text:
      'The passenger boat to Øyna island leaves the old harbour four times a day in summer and twice a day from October to April. ' +
      'Bicycles travel free but dogs must be on a lead, and there is no space for cars. ' +
      'Tickets are bought on board, by card only, and the trip takes one hour and ten minutes.',
  },
  {
    id: 'velden-codex',
    title: 'The Velden Codex',
    text:
      'The Velden Codex is an illuminated manuscript of 212 parchment leaves, copied at the Velden monastery around 1347. ' +
      'It contains a herbal with 160 painted plants, many of them labelled in an early form of Low German. ' +
      'The codex is kept at the city library and shown to the public only one week a year, to protect its pigments from light.',
  },
  {
    id: 'marguerite',
    title: 'The wreck of the SS Marguerite',
    text:
      'The steamship SS Marguerite sank off Cape Rennick on 3 November 1923 after her cargo of coal shifted in a gale. ' +
      'All 31 crew were rescued by the lifeboat from Port Alder, whose coxswain was decorated for the rescue. ' +
      'The wreck lies upright at a depth of 38 metres and is a protected site: divers need a licence to visit it.',
  },
  {
    id: 'arctic-tern',
    title: 'Arctic tern migration',
    text:
      'The Arctic tern makes the longest known migration of any animal, flying from its Arctic breeding grounds to the Antarctic pack ice and back each year. ' +
      'Tracking with geolocators showed round trips of about 70,000 kilometres, following winding routes that use prevailing winds. ' +
      'Because it lives summer at both ends of the world, it probably sees more daylight than any other creature.',
  },
  {
    id: 'basalt-columns',
    title: 'Skarvik basalt columns',
    text:
      'The basalt columns of Skarvik formed about 55 million years ago when a thick lava flow cooled slowly and cracked into mostly hexagonal pillars. ' +
      'The tallest stand 12 metres above the beach. ' +
      'Contraction during cooling is what makes the joints meet at roughly 120 degrees, the same geometry as drying mud.',
  },
  {
    id: 'comet',
    title: 'Comet Halvorsen–Reik',
    text:
      'Comet Halvorsen–Reik returns to the inner solar system every 71 years; it was last seen in 1986 and is expected again in 2057. ' +
      'At its brightest it reached magnitude 3, visible without binoculars from dark sites. ' +
      'Its nucleus is about 9 kilometres across and its dust tail feeds a faint meteor shower each October.',
  },
  {
    id: 'pressure-cooker',
    title: 'Cooking beans in a pressure cooker',
    text:
      'Soaked chickpeas cook in about 15 minutes at high pressure, unsoaked ones in 45. ' +
      'Never fill the pot more than half full with beans and water, because they foam and can block the steam valve. ' +
      'Let the pressure release naturally for ten minutes so the skins do not burst.',
  },
  {
    id: 'knitting-gauge',
    title: 'Knitting a gauge swatch',
    text:
      'Before starting a sweater, knit a gauge swatch of at least 15 by 15 centimetres in the pattern stitch and wash it as you will wash the garment. ' +
      'Count the stitches over 10 centimetres in the middle of the swatch. ' +
      'If you have more stitches than the pattern asks for, change to larger needles; if fewer, to smaller ones.',
  },
  {
    id: 'malolactic',
    title: 'Malolactic fermentation in wine',
    text:
      'After the alcoholic fermentation, many red wines and some whites undergo malolactic fermentation, in which Oenococcus oeni bacteria turn sharp malic acid into softer lactic acid. ' +
      'It lowers acidity and can give a buttery note from diacetyl. ' +
      'Winemakers who want a crisp white block it by chilling the wine and adding sulphur dioxide.',
  },
  {
    id: 'corporate-card',
    title: 'Corporate card policy',
    text:
      'Each corporate card has a monthly limit of 5,000 euros; a higher limit needs the approval of a director. ' +
      'Cash withdrawals and payments at casinos are blocked. ' +
      'Match every transaction with its receipt in the expense tool by the fifth day of the following month, or the card is frozen until you do.',
  },
  {
    id: 'passwords',
    title: 'Password policy',
    text:
      'Passwords for company accounts must be at least 14 characters long; passphrases of four or more random words are encouraged. ' +
      'We no longer force a change every 90 days, but a password found in a known breach must be changed at once. ' +
      'Store every password in the company password manager and never reuse a work password elsewhere.',
  },
  {
    id: 'laptop-setup',
    title: 'New laptop setup',
    text:
      'New MacBooks are enrolled in Jamf automatically when they are first switched on and connected to the internet. ' +
      'FileVault disk encryption is turned on during enrolment and the recovery key is escrowed with IT. ' +
      'Software from the Self Service app is pre-approved; anything else needs a ticket to the service desk.',
  },
  {
    id: 'meeting-rooms',
    title: 'Meeting rooms',
    text:
      'The fourth floor has three bookable rooms: Fjord seats 12 and has a video bar, Tundra seats 6, and Delta is a two-person booth for calls. ' +
      'Book through the calendar and release the room if the meeting is cancelled. ' +
      'Bookings not checked in on the door panel within ten minutes are released automatically.',
  },
  {
    id: 'pension',
    title: 'Company pension plan',
    text:
      'The company matches pension contributions euro for euro up to 5 % of base salary. ' +
      'Employer contributions vest after two years of service; your own contributions are always yours. ' +
      'You can change your contribution rate once a quarter through the benefits portal.',
  },
  {
    id: 'circadian',
    title: 'Body clock and sleep',
    text:
      'The body clock runs on a cycle of slightly more than 24 hours and is reset every day mainly by morning light reaching the eyes. ' +
      'In the evening the pineal gland releases melatonin, which makes us sleepy; bright screens late at night delay it. ' +
      'Adults need seven to nine hours of sleep, and keeping the same wake-up time at weekends steadies the rhythm.',
  },
  {
    id: 'exposure',
    title: 'The exposure triangle',
    text:
      'Three settings decide how bright a photograph is: the aperture, the shutter speed and the ISO sensitivity. ' +
      'A wide aperture such as f/1.8 blurs the background, a fast shutter of 1/1000 s freezes motion, and a high ISO brightens dim scenes at the cost of noise. ' +
      'Opening the aperture by one stop lets you halve the exposure time.',
  },
  {
    id: 'drop-d',
    title: 'Drop D tuning',
    text:
      'In drop D tuning the lowest string of a guitar is tuned down a whole step, from E to D, while the other five strings stay in standard tuning. ' +
      'Power chords can then be played with one finger across the three lowest strings. ' +
      'Tune the low string to match the open D string an octave lower.',
  },
  {
    id: 'vowel-harmony',
    title: 'Finnish vowel harmony',
    text:
      'Finnish words follow vowel harmony: back vowels a, o and u do not mix with front vowels ä, ö and y in the same simple word. ' +
      'Endings therefore come in two forms, such as -ssa and -ssä for "in": talossa, in the house, but kylässä, in the village. ' +
      'The vowels e and i are neutral and can appear with either group.',
  },
  {
    id: 'puppy-vaccines',
    title: 'Puppy vaccinations',
    text:
      'Puppies get their first combined vaccine against distemper, parvovirus and hepatitis at eight weeks and a second dose at twelve weeks. ' +
      'The rabies vaccine is given from twelve weeks and is required for travel abroad. ' +
      'Keep the puppy away from unknown dogs and public parks until a week after the last dose.',
  },
  {
    id: 'radon',
    title: 'Radon in homes',
    text:
      'Radon is a radioactive gas that seeps from the ground into basements and ground floors. ' +
      'Measure it with a passive detector left in a living room for three months during the heating season. ' +
      'Above 300 Bq/m³ the recommendation is to seal the floor and install a sump with a fan that draws the gas out.',
  },
  {
    id: 'blossom-end-rot',
    title: 'Blossom end rot on tomatoes',
    text:
      'Blossom end rot shows as a dark, sunken patch at the bottom of tomato fruits. ' +
      'It is caused by a lack of calcium in the growing fruit, nearly always because of irregular watering rather than poor soil. ' +
      'Water deeply and regularly, mulch the bed, and remove the damaged fruit.',
  },
  {
    id: 'tyre-tread',
    title: 'Car tyre tread depth',
    text:
      'The legal minimum tread depth for car tyres is 1.6 mm across the central three quarters of the tread. ' +
      'Braking distances on wet roads grow sharply below 3 mm, so many drivers replace tyres well before the limit. ' +
      'Check the depth with a gauge or look at the wear bars moulded into the grooves.',
  },
  {
    id: 'dsar',
    title: 'Data subject access requests',
    text:
      'Under the GDPR, anyone may ask what personal data we hold about them in a data subject access request. ' +
      'We must answer within one month of receiving it, free of charge, with a copy of the data and where it came from. ' +
      'Forward every such request to the privacy office the same day, even if it arrives by chat or phone.',
  },
  {
    id: 'incoterms',
    title: 'Incoterms for shipping',
    text:
      'Under DAP (delivered at place) the seller pays to bring the goods to the named place, but the buyer pays import duties and clears customs. ' +
      'Under DDP (delivered duty paid) the seller also pays the duties and handles import clearance. ' +
      'EXW puts almost every cost and risk on the buyer from the seller\'s door.',
  },
  {
    id: 'semver',
    title: 'Semantic versioning',
    text:
      'A version number MAJOR.MINOR.PATCH tells users what changed: the patch number goes up for bug fixes, the minor number for new features that keep compatibility, and the major number for breaking changes. ' +
      'Before 1.0.0 anything may change at any time. ' +
      'Pre-releases append a hyphen and an identifier, as in 2.0.0-rc.1, and sort before the release itself.',
  },
];
