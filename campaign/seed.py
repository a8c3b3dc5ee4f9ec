"""The Time's Up campaign, as its launch published it: the site's default campaign.

The statement and the letter's words are the campaign's own, quoted in the
press coverage of its launch on 1 January 2018; `manage.py load_default_campaign`
stores them when the database holds no campaign yet.
"""

TIMES_UP = {
    "title": "Time's Up",
    "slug": "timesup",
    "hashtag": "#TIMESUP",
    "signature_goal": 100_000,
    "statement": """\
The clock has run out on sexual assault, harassment and inequality in the workplace. It's time to do something about it.

Time's Up is a unified call for change from women in entertainment for women everywhere.

From movie sets to farm fields to boardrooms alike, we envision nationwide leadership that reflects the world in which we live.

Powered by women, Time's Up addresses the systemic inequality and injustice in the workplace that have kept underrepresented groups from reaching their full potential.

We partner with leading advocates for equality and safety to improve laws, employment agreements, and corporate policies; help change the face of corporate boardrooms and the C-suite; and enable more women and men to access our legal system to hold wrongdoers accountable.""",
    "letter": """\
I stand with all women across every industry to say #TIMESUP on abuse, harassment, marginalization and underrepresentation.

Time's up on silence. Time's up on waiting. Time's up on tolerating discrimination, harassment and abuse.

No more silence. No more waiting. No more tolerance for discrimination, harassment or abuse.""",
    "donation_label": "Donate to the Legal Defense Fund",
    "donation_url": "https://timesupnow.com/",
    "signing_open": True,
    "is_featured": True,
}
