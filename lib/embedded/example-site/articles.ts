/**
 * The bundled example site: a small fictional local paper, The Riverside Ledger. Every article here is
 * invented for this project (places, people and figures included); the pages around them carry the
 * boilerplate real news sites do, so `npm start` exercises the extractor on something realistic.
 */
export interface SiteArticle {
  /** Path segment under /news/. */
  slug: string;
  title: string;
  description: string;
  authors: string[];
  section: string;
  tags: string[];
  publishedAt: string;
  modifiedAt?: string;
  /** Paragraphs of the body, plain text. */
  paragraphs: string[];
  /** A subheading placed before the paragraph with this index. */
  subheadings?: Record<number, string>;
  image?: { path: string; alt: string; caption: string };
}

export const EXAMPLE_SITE_NAME = 'The Riverside Ledger';

export const EXAMPLE_ARTICLES: SiteArticle[] = [
  {
    slug: 'council-approves-tram-extension',
    title: 'Council approves funding for eastern tram extension after four-hour debate',
    description:
      'The 2.3-kilometre extension to Millbrook will open in 2029 if the regional transport fund matches the city’s share.',
    authors: ['Hanna Verlinde'],
    section: 'City',
    tags: ['transport', 'city council', 'Millbrook'],
    publishedAt: '2026-03-02T18:40:00.000Z',
    modifiedAt: '2026-03-02T21:05:00.000Z',
    image: {
      path: '/images/tram-depot.jpg',
      alt: 'A green tram leaving the Quayside depot',
      caption: 'Trams leave the Quayside depot every six minutes at peak hours.',
    },
    paragraphs: [
      'Riverside’s city council voted 23 to 14 on Monday evening to fund its share of a 2.3-kilometre tram extension to the eastern district of Millbrook, ending a debate that began before the previous election and ran for more than four hours in the chamber.',
      'The extension would add four stops between the Quayside depot and the Millbrook health centre. The city has committed 61 million to the project, roughly forty per cent of the estimated cost, on condition that the regional transport fund covers the rest when it allocates its next round of grants in the autumn.',
      '“People in Millbrook have waited long enough for a connection that does not involve two buses and a prayer,” said councillor Adaeze Ormsby, who chairs the mobility committee. She said the line would put 14,000 residents within a ten-minute walk of a stop.',
      'Opponents questioned the ridership figures. Councillor Piet Halloran said the forecast of 9,500 daily passengers assumed that a planned housing development on the old brickworks site would be finished on time, which he called “optimistic at best”. His amendment to delay the vote until the housing permits were granted failed by six votes.',
      'Shopkeepers on Linden Street, where the tracks would run for 600 metres, asked for a guarantee that the street would not be closed for more than one summer. The council added a clause requiring the contractor to keep one lane open for deliveries throughout construction.',
      'If the regional money comes through, preparatory work on utility lines would start in early 2027 and the first trams would run in the spring of 2029. The transport authority said it would publish the full route drawings for public comment next month.',
    ],
    subheadings: { 3: 'Doubts over passenger numbers', 4: 'Shopkeepers want a time limit' },
  },
  {
    slug: 'reservoir-levels-lowest-in-decade',
    title: 'Reservoir levels fall to lowest point in a decade as dry spring continues',
    description:
      'Water utility asks households to cut garden watering; farmers in the upper valley begin rationing irrigation.',
    authors: ['Tomasz Reyes', 'Lina Oduya'],
    section: 'Environment',
    tags: ['drought', 'water', 'agriculture'],
    publishedAt: '2026-04-18T07:15:00.000Z',
    paragraphs: [
      'The Greywater reservoir, which supplies most of Riverside’s drinking water, stood at 58 per cent of capacity on Friday, its lowest level for the middle of April in at least ten years, according to figures published by the regional water utility.',
      'Only 31 millimetres of rain have fallen in the catchment since the start of March, less than half the long-term average for the period. The utility said supplies were not at risk this summer but asked households to water gardens only in the evening and to postpone filling private pools.',
      'In the upper valley, the irrigation cooperative has moved to a rota that gives each farm water on three days a week instead of five. “We are sowing later and sowing less,” said Marit Evensen, who grows potatoes and barley on 80 hectares near Hollin Bridge. “If June is dry as well, some of us will lose a season.”',
      'Hydrologists at the regional university said the low level reflected two dry winters in a row rather than a single bad spring. Groundwater in the valley aquifer was also below normal, which means the river is being fed less from underground than usual.',
      'The utility said it would decide at the end of May whether to introduce a formal hosepipe ban, which would be the first since 2018. It has also brought forward repairs on a leaking main under the ring road, which engineers estimate loses around 400 cubic metres a day.',
    ],
  },
  {
    slug: 'bakery-cooperative-turns-ten',
    title: 'The bakery that its customers own turns ten, and plans a second oven',
    description:
      'Started by 140 neighbours after the last bakery on Kettle Lane closed, the cooperative now has 1,100 members.',
    authors: ['Sofia Brandt'],
    section: 'Business',
    tags: ['cooperatives', 'small business', 'Kettle Lane'],
    publishedAt: '2026-05-09T09:00:00.000Z',
    paragraphs: [
      'Ten years ago this month, 140 residents of the Kettle Lane neighbourhood each put in 250 to reopen the bakery that had closed when its owner retired. The cooperative they formed now has 1,100 members, six bakers and a queue on Saturday mornings that stretches past the pharmacy next door.',
      'Members get a five per cent discount and a vote at the annual meeting, where the most heated debate, according to the board’s minutes, was in 2019 over whether to stop selling white sliced bread. The motion failed; the bread is still on the shelf.',
      '“We never set out to be a model for anything,” said head baker Joost Amrani, who joined from a hotel kitchen in the second year. “We just wanted bread in the street. The ownership means nobody can sell us off, and it means people forgive us when the rye runs out at eleven.”',
      'The cooperative made a surplus of 38,000 last year, most of which goes into a fund for a second deck oven. With it, the bakery could supply two school canteens that have asked for daily deliveries, and start baking overnight so the shop can open at six.',
      'The anniversary will be marked on Saturday with a street table on Kettle Lane and a loaf baked to the original 2016 recipe, which the founders admit was “fairly dense”.',
    ],
  },
  {
    slug: 'heat-pumps-in-old-buildings-study',
    title: 'Heat pumps work in old terraced houses too, two-winter study finds',
    description:
      'University researchers monitored 36 pre-1930 homes and found running costs fell in all but three of them.',
    authors: ['Dr. Elif Sandoval'],
    section: 'Science',
    tags: ['energy', 'housing', 'research'],
    publishedAt: '2026-06-21T11:30:00.000Z',
    modifiedAt: '2026-06-22T08:10:00.000Z',
    paragraphs: [
      'Air-source heat pumps kept 36 terraced houses built before 1930 as warm as their old gas boilers did, and cut heating bills in 33 of them, according to a two-winter study by the building physics group at Riverside University published on Monday.',
      'The houses, in the Northgate and Tanners Row districts, were chosen because they are the kind of homes often described as unsuitable for heat pumps: solid brick walls, single-glazed sash windows in many rooms and radiators sized for water at 70 degrees.',
      'Researchers replaced the largest radiator in each house with a bigger one, sealed obvious draughts and set the pumps to run at low temperature for long periods instead of in bursts. No walls were insulated. Median indoor temperature over the two winters was 19.8 degrees, against 19.5 degrees in the winter before the change.',
      '“The surprise was not that it worked, but how little we had to do to make it work,” said Professor Kwame Lindqvist, who led the project. The three houses where bills rose all had occupants who were at home all day and kept the pump on a timer, which the team said defeated the point of running it low and slow.',
      'The city’s housing department, which owns 12 of the houses, said it would use the results to plan replacements in another 400 homes when their boilers reach the end of their life.',
    ],
  },
  {
    slug: 'library-digitises-newspaper-archive',
    title: 'Library puts 80 years of the city’s old newspapers online',
    description:
      'The digitised Riverside Courier, 1851 to 1931, is searchable for free; volunteers will correct the scanned text.',
    authors: ['Ruth Achterberg'],
    section: 'Culture',
    tags: ['libraries', 'history', 'archives'],
    publishedAt: '2026-07-14T13:00:00.000Z',
    paragraphs: [
      'Every issue of the Riverside Courier printed between 1851 and 1931, more than 24,000 editions, can now be read and searched online free of charge, the city library announced on Tuesday after a digitisation project that took three years.',
      'The paper’s bound volumes had been kept in the library basement since the Courier closed, and several had suffered water damage in the flood of 1998. Each page was photographed at high resolution and run through text recognition software, which the library admits struggles with the smallest type in the shipping notices.',
      'That is where volunteers come in. Anyone can register on the archive’s website to correct the recognised text line by line, and corrections are reviewed by library staff before they are published. A pilot group of 60 volunteers corrected 9,000 pages in the spring.',
      '“Family historians were the first to find it, within hours,” said archivist Bram Kuijpers. “But we are also seeing school classes use it to look at how the city reported the arrival of the railway, or the cholera outbreak of 1866, in the words of the time.”',
      'The library plans to add the Courier’s rival, the Evening Standard of Riverside, by the end of next year, subject to a grant application that is still under review.',
    ],
  },
  {
    slug: 'ferry-strike-talks-resume',
    title: 'Ferry strike talks resume as crossings are cut to two a day',
    description:
      'Crew and the ferry operator return to mediation on Thursday; the island’s shops report shortages of fresh produce.',
    authors: ['Niamh Castellanos'],
    section: 'Region',
    tags: ['transport', 'labour', 'Skerry Island'],
    publishedAt: '2026-08-05T16:20:00.000Z',
    modifiedAt: '2026-08-06T07:45:00.000Z',
    paragraphs: [
      'Talks between the ferry operator and the union representing its crews will resume on Thursday under a government-appointed mediator, after a week in which the Skerry Island service has been cut from eleven crossings a day to two.',
      'The crews walked out over a new rota that would lengthen shifts to twelve hours during the summer season. The operator says the rota is needed to cover a shortage of qualified deckhands; the union says it breaches rest rules agreed in 2021.',
      'On the island, the two grocery shops said deliveries of fresh produce had halved. “We have tins, we have bread from the freezer, but lettuce is a memory,” said shopkeeper Aroha Pettersen. The island’s doctor said the emergency boat had been exempted from the strike and was running normally.',
      'Tourism businesses, which earn most of their income in August, have asked the regional government to pay for a temporary private boat. The transport department said it would not intervene while mediation was under way.',
      'Both sides said on Wednesday they were willing to discuss a shorter summer rota if the operator recruits eight more crew before next season, which the union called “the first useful sentence in a month”.',
    ],
  },
  {
    slug: 'wildfire-volunteers-training',
    title: 'Volunteer fire crews train for a longer wildfire season in the hills',
    description:
      'Forty new volunteers have joined the hill stations this year; the fire service warns the season now starts in April.',
    authors: ['Mateo Fairweather'],
    section: 'Region',
    tags: ['wildfire', 'emergency services', 'volunteers'],
    publishedAt: '2026-09-12T06:50:00.000Z',
    paragraphs: [
      'Forty new volunteers joined the five hill fire stations above Riverside this year, the largest intake since the stations were founded, and most of them spent last weekend learning to cut firebreaks on the slopes above Ashcombe.',
      'The regional fire service says the wildfire season in the hills, which used to run from late June to early September, now begins in April and can last into October. Crews attended 212 vegetation fires last year, against an average of 90 a year in the decade before.',
      '“Most of these fires are small if you get there in the first twenty minutes,” said station officer Ingrid Mbeki. “That is why the volunteers matter. We have people living in the villages who can be on a truck while the full-time crews are still on the motorway.”',
      'Training covers pump operation, radio procedure, reading wind and slope, and how to retreat safely. New volunteers must complete 60 hours before they can attend a fire, and are paid a small allowance for each call-out.',
      'The service is also asking landowners to clear dry scrub within 30 metres of buildings before the end of March, and will offer free inspections in the spring.',
    ],
  },
];
