"""The Time's Up campaign, as its launch published it: the site's default campaign.

The statement and the letter's words are the campaign's own, quoted in the
press coverage of its launch on 1 January 2018; `manage.py load_default_campaign`
stores them when the database holds no campaign yet.
"""

from datetime import UTC, datetime

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
    "letter_text": """\
I stand with all women across every industry to say #TIMESUP on abuse, harassment, marginalization and underrepresentation.

Time's up on silence. Time's up on waiting. Time's up on tolerating discrimination, harassment and abuse.

No more silence. No more waiting. No more tolerance for discrimination, harassment or abuse.""",
    "donation_label": "Donate to the Legal Defense Fund",
    "donation_url": "https://timesupnow.com/",
    # As signers posted it on launch day.
    "share_text": "I stand with ALL WOMEN across every industry to say #TIMESUP on abuse, harassment, marginalization and underrepresentation. Join me! Sign the statement of solidarity & donate to the Legal Defense Fund:",
    "signing_open": True,
    "is_featured": True,
    # Our translation; staff can edit it in the admin.
    "title_es": "Time's Up",
    "statement_es": """\
Se acabó el tiempo para las agresiones sexuales, el acoso y la desigualdad en el trabajo. Es hora de hacer algo al respecto.

Time's Up es un llamado unido al cambio, de las mujeres del mundo del espectáculo para las mujeres de todas partes.

De los platós de cine a los campos de cultivo y a los consejos de administración, imaginamos un liderazgo en todo el país que refleje el mundo en que vivimos.

Impulsado por mujeres, Time's Up combate la desigualdad y la injusticia sistémicas en el trabajo que han impedido a los grupos infrarrepresentados alcanzar todo su potencial.

Trabajamos con quienes defienden la igualdad y la seguridad para mejorar las leyes, los contratos de trabajo y las políticas de las empresas; para cambiar el rostro de los consejos de administración y de la alta dirección; y para que más mujeres y hombres puedan acudir a la justicia y pedir cuentas a quienes abusan.""",
    "letter_text_es": """\
Me uno a todas las mujeres de todos los sectores para decir #TIMESUP al abuso, al acoso, a la marginación y a la infrarrepresentación.

Se acabó el silencio. Se acabó la espera. Se acabó tolerar la discriminación, el acoso y el abuso.

Ni un silencio más. Ni una espera más. Ninguna tolerancia más con la discriminación, el acoso o el abuso.""",
    "donation_label_es": "Dona al Fondo de Defensa Legal",
    "share_text_es": "Me uno a TODAS LAS MUJERES de todos los sectores para decir #TIMESUP al abuso, al acoso, a la marginación y a la infrarrepresentación. ¡Únete! Firma la declaración de solidaridad y dona al Fondo de Defensa Legal:",
}

# The letter's founding signers, featured first on the campaign page with the
# words they posted when it launched (1 January 2018). They count: they signed.
FOUNDING_SIGNED_AT = datetime(2018, 1, 1, 12, 0, tzinfo=UTC)
# Their addresses are placeholders under .invalid, a domain that cannot
# receive mail, so no email is ever sent to them.
FOUNDING_SIGNERS = [
    {
        "name": "Reese Witherspoon",
        "quote": "I stand with ALL WOMEN across every industry to say #TIMESUP on abuse, harassment, marginalization and underrepresentation.",
    },
    {
        "name": "Kerry Washington",
        "quote": "I stand with women across every industry to say #TIMESUP on abuse, harassment, marginalization and underrepresentation.",
    },
    {
        "name": "Shonda Rhimes",
        "quote": "Time's up on silence. Time's up on waiting. Time's up on tolerating discrimination, harassment and abuse.",
    },
]
