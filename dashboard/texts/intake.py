"""Interface text: Relocation intake: score, shortlist, comparison, morning chain (issue 10).

Also the profile page's own texts (prefix ``ik_pf_``) and the school allocation hint
(``ik_alloc_``).  Every key starts with ``ik_`` except the page titles and the link
problems (their keys are :class:`dashboard.state.UrlProblem` values).
"""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {
    "page_compare": ("Compare", "Vergelijken", "Comparer"),
    "page_profile": ("Neighbourhood profile", "Wijkprofiel", "Profil du quartier"),
    # -- link problems (state.UrlProblem values): name = URL parameter, value = its text
    "url_malformed": (
        "The link's value for '{name}' could not be read and was cleared: {value}",
        "De waarde van '{name}' in de link was onleesbaar en is gewist: {value}",
        "La valeur de « {name} » dans le lien était illisible et a été effacée : {value}",
    ),
    "shortlist_too_many": (
        "A shortlist holds at most {n} neighbourhoods; the link's extra ones were left out: "
        "{value}",
        "Een shortlist telt hoogstens {n} wijken; de overige uit de link zijn weggelaten: {value}",
        "Une présélection compte au plus {n} quartiers ; ceux du lien en trop ont été "
        "écartés : {value}",
    ),
    "wijk_unknown": (
        "'{value}' in the link ('{name}') is not a neighbourhood code of the data: left out.",
        "'{value}' in de link ('{name}') is geen wijkcode uit de gegevens: weggelaten.",
        "« {value} » dans le lien (« {name} ») n'est pas un code de quartier des données : écarté.",
    ),
    # -- generic bits
    "ik_plain": ("{v}", "{v}", "{v}"),
    "ik_minutes": ("{m} min", "{m} min", "{m} min"),
    "ik_beyond_limit": ("over {m} min", "meer dan {m} min", "plus de {m} min"),
    "ik_unknown": ("unknown", "onbekend", "inconnu"),
    "ik_year": ("Year", "Jaar", "Année"),
    "ik_address": ("Address", "Adres", "Adresse"),
    "ik_name": ("Name", "Naam", "Nom"),
    "ik_population": ("Population (wijk)", "Inwoners (wijk)", "Population (quartier)"),
    "ik_price_year": ("Price year", "Jaar van de prijs", "Année du prix"),
    "ik_profile": ("Profile", "Profiel", "Profil"),
    "ik_open_profile": ("Open profile", "Profiel openen", "Ouvrir le profil"),
    # -- score
    "ik_weights": ("Score weights", "Gewichten van de score", "Poids du score"),
    "ik_weights_help": (
        "How much each part counts in the score (0: left out).",
        "Hoeveel elk deel meetelt in de score (0: niet meegeteld).",
        "Poids de chaque partie dans le score (0 : non comptée).",
    ),
    "ik_component_commute": ("Commute", "Woon-werkverkeer", "Trajet domicile-travail"),
    "ik_component_schools": ("Schools", "Scholen", "Écoles"),
    "ik_component_childcare": ("Childcare", "Kinderopvang", "Accueil de la petite enfance"),
    "ik_component_transport": ("Public transport", "Openbaar vervoer", "Transports en commun"),
    "ik_component_price": ("Price", "Prijs", "Prix"),
    "ik_raw_schools": ("Schools (count)", "Scholen (aantal)", "Écoles (nombre)"),
    "ik_raw_childcare": ("Childcare (count)", "Kinderopvang (aantal)", "Accueil (nombre)"),
    "ik_raw_transport": (
        "Stations + bus stops",
        "Stations + bushaltes",
        "Gares + arrêts de bus",
    ),
    "ik_raw_price": ("Municipal median (€)", "Gemeentelijke mediaan (€)", "Médiane communale (€)"),
    "ik_score": ("Score", "Score", "Score"),
    "ik_part": ("{c} (points)", "{c} (punten)", "{c} (points)"),
    "ik_missing": ("No data for", "Geen gegevens voor", "Pas de données pour"),
    "ik_scores_title": ("Score", "Score", "Score"),
    "ik_all_weights_zero": (
        "Every weight is 0, so no score can be formed: give at least one part a weight "
        "(Score weights).",
        "Alle gewichten staan op 0, dus er is geen score: geef minstens één deel een gewicht "
        "(Gewichten van de score).",
        "Tous les poids valent 0 : aucun score possible. Donnez un poids à au moins une "
        "partie (Poids du score).",
    ),
    "ik_score_method": (
        "Score = weighted mean of the parts with data (0-100 points). Commute: 100 at the "
        "door, 0 at the time limit, for the person closest to their limit. Schools, "
        "childcare, public transport (more is better) and price (lower is better): 100 for "
        "the best and 0 for the worst of the candidates shown; {tied} when all are equal. "
        "A part without data (unknown childcare, no published price) is left out and the "
        "other weights count in its place: it is never scored as 0.",
        "Score = gewogen gemiddelde van de delen met gegevens (0-100 punten). "
        "Woon-werkverkeer: 100 aan de deur, 0 aan de tijdslimiet, voor wie het dichtst bij "
        "zijn limiet zit. Scholen, kinderopvang, openbaar vervoer (meer is beter) en prijs "
        "(lager is beter): 100 voor de beste en 0 voor de slechtste van de getoonde wijken; "
        "{tied} als ze allemaal gelijk zijn. Een deel zonder gegevens (onbekende "
        "kinderopvang, geen gepubliceerde prijs) telt niet mee en de andere gewichten "
        "nemen zijn plaats in: het telt nooit als 0.",
        "Score = moyenne pondérée des parties disposant de données (0-100 points). "
        "Trajet : 100 à la porte, 0 à la limite de temps, pour la personne la plus proche "
        "de sa limite. Écoles, accueil, transports en commun (plus c'est mieux) et prix "
        "(moins c'est mieux) : 100 pour le meilleur et 0 pour le moins bon des quartiers "
        "affichés ; {tied} s'ils sont tous égaux. Une partie sans données (accueil "
        "inconnu, pas de prix publié) est écartée et les autres poids la remplacent : "
        "elle ne compte jamais pour 0.",
    ),
    "ik_score_method_compare": (
        "Score points as on Explore, but the best and worst are among the neighbourhoods "
        "compared here ({tied} when they are equal); a commute beyond the limit counts 0. "
        "'–': no data, left out of the score.",
        "Scorepunten zoals bij Verkennen, maar beste en slechtste zijn die van de hier "
        "vergeleken wijken ({tied} als ze gelijk zijn); woon-werkverkeer boven de limiet "
        "telt 0. '–': geen gegevens, niet meegeteld.",
        "Points du score comme dans Explorer, mais le meilleur et le moins bon sont pris "
        "parmi les quartiers comparés ici ({tied} s'ils sont égaux) ; un trajet au-delà de "
        "la limite compte 0. « – » : pas de données, non compté.",
    ),
    # -- shortlist
    "ik_shortlist_title": ("Shortlist", "Shortlist", "Présélection"),
    "ik_shortlist": (
        "Neighbourhoods to compare (up to {n})",
        "Wijken om te vergelijken (hoogstens {n})",
        "Quartiers à comparer (au plus {n})",
    ),
    "ik_shortlist_help": (
        "Pick 2 to {n} neighbourhoods; the shortlist is kept in the link you share.",
        "Kies 2 tot {n} wijken; de shortlist zit in de link die je deelt.",
        "Choisissez 2 à {n} quartiers ; la présélection est gardée dans le lien partagé.",
    ),
    "ik_shortlist_placeholder": (
        "Add a neighbourhood",
        "Voeg een wijk toe",
        "Ajouter un quartier",
    ),
    "ik_shortlist_need_two": (
        "Add at least 2 neighbourhoods to compare them.",
        "Voeg minstens 2 wijken toe om ze te vergelijken.",
        "Ajoutez au moins 2 quartiers pour les comparer.",
    ),
    "ik_open_compare": (
        "Compare these {n} neighbourhoods",
        "Vergelijk deze {n} wijken",
        "Comparer ces {n} quartiers",
    ),
    "ik_add_shortlist": (
        "Add to the shortlist",
        "Aan de shortlist toevoegen",
        "Ajouter à la présélection",
    ),
    "ik_on_shortlist": (
        "On the shortlist: compare",
        "Op de shortlist: vergelijken",
        "Dans la présélection : comparer",
    ),
    "ik_shortlist_full": (
        "The shortlist is full ({n} neighbourhoods): remove one to add this one.",
        "De shortlist is vol ({n} wijken): verwijder er een om deze toe te voegen.",
        "La présélection est complète ({n} quartiers) : retirez-en un pour ajouter celui-ci.",
    ),
    # -- comparison
    "ik_compare_intro": (
        "2 to {n} shortlisted neighbourhoods side by side: key figures, score parts, a map "
        "of each and the municipal price trend. The shortlist is in the link.",
        "2 tot {n} wijken van de shortlist naast elkaar: kerncijfers, delen van de score, "
        "een kaart van elk en de prijsevolutie van de gemeente. De shortlist zit in de link.",
        "2 à {n} quartiers présélectionnés côte à côte : chiffres clés, parties du score, "
        "une carte de chacun et l'évolution des prix communaux. La présélection est dans "
        "le lien.",
    ),
    "ik_compare_need_two": (
        "Pick at least 2 neighbourhoods (up to {n}) to compare.",
        "Kies minstens 2 wijken (hoogstens {n}) om te vergelijken.",
        "Choisissez au moins 2 quartiers (au plus {n}) à comparer.",
    ),
    "ik_compare_commutes": (
        "Commutes to the workplaces, modes and limits set on the Explore page.",
        "Woon-werkverkeer naar de werkplekken, met de vervoerswijzen en limieten van Verkennen.",
        "Trajets vers les lieux de travail, avec les modes et limites choisis dans Explorer.",
    ),
    "ik_price_trend": (
        "Municipal median price ({kind}) per year",
        "Gemeentelijke mediaanprijs ({kind}) per jaar",
        "Prix médian communal ({kind}) par année",
    ),
    "ik_price_trend_note": (
        "Statbel medians per municipality up to {year}: the same for every neighbourhood of "
        "a municipality. Years without a published median are left blank.",
        "Mediaanprijzen van Statbel per gemeente tot {year}: dezelfde voor elke wijk van een "
        "gemeente. Jaren zonder gepubliceerde mediaan blijven leeg.",
        "Médianes Statbel par commune jusqu'en {year} : les mêmes pour chaque quartier "
        "d'une commune. Les années sans médiane publiée restent vides.",
    ),
    "ik_no_prices": (
        "No published prices for these municipalities.",
        "Geen gepubliceerde prijzen voor deze gemeenten.",
        "Aucun prix publié pour ces communes.",
    ),
    # -- morning chain
    "ik_chain": (
        "Morning chain: home → crèche or school → work",
        "Ochtendrit: thuis → opvang of school → werk",
        "Trajet du matin : domicile → crèche ou école → travail",
    ),
    "ik_chain_stop": ("Drop the child at", "Kind afzetten bij", "Déposer l'enfant à"),
    "ik_chain_off": ("(no stop)", "(geen tussenstop)", "(pas d'arrêt)"),
    "ik_chain_childcare": ("a crèche", "een kinderopvang", "une crèche"),
    "ik_chain_school": ("a primary school", "een lagere school", "une école primaire"),
    "ik_chain_person": (
        "Who drops the child off",
        "Wie zet het kind af",
        "Qui dépose l'enfant",
    ),
    "ik_chain_street_only": (
        "{who} commutes by a mode with a timetable; the chain is computed for {modes} only.",
        "{who} pendelt met een vervoerswijze met dienstregeling; de rit wordt alleen "
        "berekend voor {modes}.",
        "{who} se déplace avec un mode à horaire ; le trajet n'est calculé que pour {modes}.",
    ),
    "ik_chain_none": (
        "No chain via {stop} fits {who}'s {m} min (every one of the region tried).",
        "Geen rit via {stop} past binnen de {m} min van {who} (elke in de regio geprobeerd).",
        "Aucun trajet via {stop} ne tient dans les {m} min de {who} (tous ceux de la région "
        "essayés).",
    ),
    "ik_chain_via": ("Via", "Via", "Via"),
    "ik_chain_to_stop": ("Home → stop", "Thuis → tussenstop", "Domicile → arrêt"),
    "ik_chain_no_fit": (
        "no chain within the limit",
        "geen rit binnen de limiet",
        "aucun trajet dans la limite",
    ),
    "ik_chain_compare_note": (
        "For {who}, within {who}'s {m} min, from each neighbourhood's interior point via "
        "the best place of the region for it (as on Explore), with a fixed drop-off time.",
        "Voor {who}, binnen de {m} min van {who}, vanaf het binnenpunt van elke wijk via de "
        "beste plaats in de regio (zoals op Verkennen), met een vaste tijd om af te zetten.",
        "Pour {who}, dans les {m} min de {who}, depuis le point intérieur de chaque quartier "
        "via le meilleur lieu de la région (comme sur Explorer), avec un temps de dépôt fixe.",
    ),
    "ik_chain_leg1": ("Home → {stop}", "Thuis → {stop}", "Domicile → {stop}"),
    "ik_chain_dropoff": ("Drop-off", "Afzetten", "Dépôt"),
    "ik_chain_leg2": ("→ work", "→ werk", "→ travail"),
    "ik_chain_total": ("Total", "Totaal", "Total"),
    "ik_chain_note": (
        "The best chain for {who} via any {stop} of the region (as on Explore), from the "
        "neighbourhood's interior point, with a fixed drop-off time.",
        "De beste rit voor {who} via eender welke plaats ({stop}) in de regio (zoals op "
        "Verkennen), vanaf het binnenpunt van de wijk, met een vaste tijd om af te zetten.",
        "Le meilleur trajet pour {who} via n'importe quel lieu ({stop}) de la région (comme "
        "sur Explorer), depuis le point intérieur du quartier, avec un temps de dépôt fixe.",
    ),
    "ik_chain_estimated": (
        "Part of it is estimated (outside the detailed network).",
        "Een deel is geschat (buiten het gedetailleerde netwerk).",
        "Une partie est estimée (hors du réseau détaillé).",
    ),
    # -- school allocation hint
    "ik_alloc": (
        "Primary school places: distance counts",
        "Plaatsen in de lagere school: afstand telt",
        "Places en école primaire : la distance compte",
    ),
    "ik_alloc_rule": (
        "In Leuven, free places in primary school are shared out by a computer. Per "
        "school it ranks the registered children by distance to the school, measured as "
        "the crow flies from the child's official address and possibly from a parent's "
        "work address, and by preference; each school chooses how its places are split "
        "between preference and distance (70/30, 50/50 or 30/70), after reserving places "
        "for indicator pupils ([City of Leuven]({source})). Registration: "
        "[Meld je aan]({site}) (schools of {places}). No chance of a place is given here: "
        "it depends on who else registers.",
        "In Leuven verdeelt een computer de vrije plaatsen in het basisonderwijs. Per "
        "school rangschikt hij de aangemelde kinderen volgens de afstand tot de school, in "
        "vogelvlucht vanaf het officiële adres van het kind en eventueel het werkadres van "
        "een ouder, en volgens voorkeur; elke school kiest hoe ze haar plaatsen verdeelt "
        "tussen voorkeur en afstand (70/30, 50/50 of 30/70), na de plaatsen voor "
        "indicatorleerlingen ([Stad Leuven]({source})). Aanmelden: [Meld je aan]({site}) "
        "(scholen van {places}). Hier staat geen kans op een plaats: die hangt af van wie "
        "zich nog aanmeldt.",
        "À Louvain, un ordinateur répartit les places libres de l'enseignement "
        "fondamental. Pour chaque école, il classe les enfants inscrits selon la distance "
        "à l'école, à vol d'oiseau depuis l'adresse officielle de l'enfant et "
        "éventuellement l'adresse de travail d'un parent, et selon la préférence ; chaque "
        "école choisit comment répartir ses places entre préférence et distance (70/30, "
        "50/50 ou 30/70), après les places réservées aux élèves indicateurs "
        "([Ville de Louvain]({source})). Inscription : [Meld je aan]({site}) (écoles de "
        "{places}). Aucune probabilité n'est donnée ici : elle dépend des autres inscrits.",
    ),
    "ik_alloc_home": (
        "From the neighbourhood (m)",
        "Vanaf de wijk (m)",
        "Depuis le quartier (m)",
    ),
    "ik_alloc_work": (
        "From {who}'s work (m)",
        "Vanaf het werk van {who} (m)",
        "Depuis le travail de {who} (m)",
    ),
    "ik_alloc_in_system": (
        "In the shared registration",
        "In het gezamenlijke aanmeldsysteem",
        "Dans l'inscription commune",
    ),
    "ik_alloc_none": (
        "No mainstream primary school within {km} km of the neighbourhood.",
        "Geen gewone lagere school binnen {km} km van de wijk.",
        "Aucune école primaire ordinaire à moins de {km} km du quartier.",
    ),
    "ik_alloc_note": (
        "Mainstream primary schools within {km} km as the crow flies of the neighbourhood's "
        "interior point (your own address will differ); special-needs schools register "
        "separately.",
        "Gewone lagere scholen binnen {km} km in vogelvlucht van het binnenpunt van de wijk "
        "(je eigen adres ligt anders); scholen voor buitengewoon onderwijs hebben een eigen "
        "aanmelding.",
        "Écoles primaires ordinaires à moins de {km} km à vol d'oiseau du point intérieur "
        "du quartier (votre adresse sera différente) ; l'enseignement spécialisé a sa "
        "propre inscription.",
    ),
    # -- profile page
    "ik_pf_choose": ("Neighbourhood", "Wijk", "Quartier"),
    "ik_pf_choose_placeholder": (
        "Choose a neighbourhood",
        "Kies een wijk",
        "Choisissez un quartier",
    ),
    "ik_pf_pick": (
        "Choose a neighbourhood, or open one from the Explore map or table, the "
        "Neighbourhoods page or the comparison.",
        "Kies een wijk, of open er een vanuit de kaart of tabel van Verkennen, de pagina "
        "Wijken of de vergelijking.",
        "Choisissez un quartier, ou ouvrez-en un depuis la carte ou le tableau d'Explorer, "
        "la page Quartiers ou la comparaison.",
    ),
    "ik_pf_caption": (
        "{municipality} · code {code}",
        "{municipality} · code {code}",
        "{municipality} · code {code}",
    ),
    "ik_pf_commute": (
        "Commute by every mode",
        "Woon-werkverkeer per vervoerswijze",
        "Trajet par mode",
    ),
    "ik_pf_minutes": ("Minutes", "Minuten", "Minutes"),
    "ik_pf_spread": ("Range (trains)", "Spreiding (trein)", "Plage (trains)"),
    "ik_pf_within": ("Within {m} min", "Binnen {m} min", "En moins de {m} min"),
    "ik_pf_commute_note": (
        "★ the mode chosen on Explore; ✱ estimated in part. From the neighbourhood's "
        "interior point.",
        "★ de vervoerswijze gekozen bij Verkennen; ✱ deels geschat. Vanaf het binnenpunt "
        "van de wijk.",
        "★ le mode choisi dans Explorer ; ✱ estimé en partie. Depuis le point intérieur du "
        "quartier.",
    ),
    "ik_pf_schools": ("Schools within reach", "Scholen binnen bereik", "Écoles à portée"),
    "ik_pf_reach": ("{m} min by {mode}", "{m} min met {mode}", "{m} min en {mode}"),
    "ik_pf_schools_note": (
        "Within {reach}; '–': beyond that mode's search. Distances as the crow flies.",
        "Binnen {reach}; '–': buiten de zoektocht van die vervoerswijze. Afstanden in vogelvlucht.",
        "À moins de {reach} ; « – » : hors de la recherche de ce mode. Distances à vol d'oiseau.",
    ),
    "ik_pf_level_nursery": ("Nursery schools", "Kleuterscholen", "Écoles maternelles"),
    "ik_pf_level_primary": ("Primary schools", "Lagere scholen", "Écoles primaires"),
    "ik_pf_level_secondary": ("Secondary schools", "Secundaire scholen", "Écoles secondaires"),
    "ik_pf_count": ("{what}: {n}", "{what}: {n}", "{what} : {n}"),
    "ik_pf_international": (
        "International schools within {m} min by {mode}",
        "Internationale scholen binnen {m} min met {mode}",
        "Écoles internationales à moins de {m} min en {mode}",
    ),
    "ik_pf_distance": ("Distance (m)", "Afstand (m)", "Distance (m)"),
    "ik_pf_childcare": ("Childcare within reach", "Kinderopvang binnen bereik", "Accueil à portée"),
    "ik_pf_childcare_unknown": (
        "Unknown: the childcare data ({year}) does not cover this neighbourhood.",
        "Onbekend: de gegevens over kinderopvang ({year}) dekken deze wijk niet.",
        "Inconnu : les données d'accueil ({year}) ne couvrent pas ce quartier.",
    ),
    "ik_pf_childcare_lower": (
        "At least {n} (the data covers part of this area only: {share}%).",
        "Minstens {n} (de gegevens dekken maar een deel van dit gebied: {share}%).",
        "Au moins {n} (les données ne couvrent qu'une partie de la zone : {share} %).",
    ),
    "ik_pf_childcare_lower_whole": (
        "At least {n}: the whole area lies in the mapped zone, but OpenStreetMap may miss "
        "places (a lower bound).",
        "Minstens {n}: het hele gebied ligt in de gekarteerde zone, maar OpenStreetMap kan "
        "plaatsen missen (een ondergrens).",
        "Au moins {n} : toute la zone est dans la partie cartographiée, mais OpenStreetMap "
        "peut manquer des lieux (un minimum).",
    ),
    "ik_pf_childcare_count": ("{n}", "{n}", "{n}"),
    "ik_pf_station": ("Nearest railway station", "Dichtste treinstation", "Gare la plus proche"),
    "ik_pf_no_station": (
        "No station in the data.",
        "Geen station in de gegevens.",
        "Aucune gare dans les données.",
    ),
    "ik_pf_is_there": ("(this station)", "(dit station)", "(cette gare)"),
    "ik_pf_station_text": (
        "{name}, {km} km as the crow flies: {n} trains on {day}; direct trains to Leuven: "
        "{leuven}, to Brussels: {brussels}.",
        "{name}, {km} km in vogelvlucht: {n} treinen op {day}; rechtstreekse treinen naar "
        "Leuven: {leuven}, naar Brussel: {brussels}.",
        "{name}, à {km} km à vol d'oiseau : {n} trains le {day} ; trains directs vers "
        "Louvain : {leuven}, vers Bruxelles : {brussels}.",
    ),
    "ik_pf_prices": (
        "Median prices in {municipality}",
        "Mediaanprijzen in {municipality}",
        "Prix médians à {municipality}",
    ),
    "ik_pf_prices_note": (
        "Statbel medians of the whole municipality, not of this neighbourhood; gaps: no "
        "published median that year.",
        "Mediaanprijzen van Statbel voor de hele gemeente, niet voor deze wijk; gaten: geen "
        "gepubliceerde mediaan dat jaar.",
        "Médianes Statbel de toute la commune, pas de ce quartier ; trous : pas de médiane "
        "publiée cette année-là.",
    ),
    "ik_pf_population": ("People", "Inwoners", "Habitants"),
    "ik_pf_pop_wijk": (
        "Population of the neighbourhood",
        "Inwoners van de wijk",
        "Population du quartier",
    ),
    "ik_pf_pop_year": ("{label} ({year})", "{label} ({year})", "{label} ({year})"),
    "ik_pf_pop_note": (
        "Why the neighbourhood's population is unknown: {note}",
        "Waarom het aantal inwoners van de wijk onbekend is: {note}",
        "Pourquoi la population du quartier est inconnue : {note}",
    ),
    "ik_pf_pop_municipality": (
        "Population of the municipality",
        "Inwoners van de gemeente",
        "Population de la commune",
    ),
    "ik_pf_households": (
        "Households in the municipality ({year})",
        "Huishoudens in de gemeente ({year})",
        "Ménages de la commune ({year})",
    ),
    "ik_pf_sources": ("Sources and dates", "Bronnen en data", "Sources et dates"),
    "ik_pf_section": ("Section", "Onderdeel", "Section"),
    "ik_pf_layer": ("Data", "Gegevens", "Données"),
    "ik_pf_date": ("Date", "Datum", "Date"),
    "ik_pf_licence": ("Licence", "Licentie", "Licence"),
    "ik_pf_section_neighbourhood": ("Neighbourhood", "Wijk", "Quartier"),
    "ik_pf_section_commute": ("Commute", "Woon-werkverkeer", "Trajet"),
    "ik_pf_section_schools": ("Schools", "Scholen", "Écoles"),
    "ik_pf_section_international_schools": (
        "International schools",
        "Internationale scholen",
        "Écoles internationales",
    ),
    "ik_pf_section_childcare": ("Childcare", "Kinderopvang", "Accueil"),
    "ik_pf_section_station": ("Station", "Station", "Gare"),
    "ik_pf_section_prices": ("Prices", "Prijzen", "Prix"),
    "ik_pf_section_population": ("People", "Inwoners", "Habitants"),
    # -- the morning chain in Explore's results table
    "ik_col_chain_via": ("Chain via", "Rit via", "Trajet via"),
    "ik_col_chain_to_stop": (
        "Chain: home → stop (min)",
        "Rit: thuis → tussenstop (min)",
        "Trajet : domicile → arrêt (min)",
    ),
    "ik_col_chain_to_work": (
        "Chain: stop → work (min)",
        "Rit: tussenstop → werk (min)",
        "Trajet : arrêt → travail (min)",
    ),
    "ik_col_chain_total": (
        "Chain total (min)",
        "Rit totaal (min)",
        "Trajet total (min)",
    ),
    "ik_col_chain_estimated": (
        "Chain estimated",
        "Rit geschat",
        "Trajet estimé",
    ),
    "ik_chain_explore_note": (
        "Morning chain for {who}: home → {stop} → work within {who}'s {m} min, from each "
        "neighbourhood's interior point via the best {stop} of the region for it, with a fixed "
        "drop-off time included in the total; the ranking itself stays by commute.",
        "Ochtendrit voor {who}: thuis → {stop} → werk binnen de {m} min van {who}, vanaf het "
        "binnenpunt van elke wijk via de beste plaats ({stop}) in de regio, met een vaste tijd "
        "om af te zetten in het totaal; de rangschikking blijft volgens de pendeltijd.",
        "Trajet du matin pour {who} : domicile → {stop} → travail dans les {m} min de {who}, "
        "depuis le point intérieur de chaque quartier via le meilleur lieu ({stop}) de la "
        "région, avec un temps de dépôt fixe compris dans le total ; le classement reste "
        "celui du trajet domicile-travail.",
    ),
    # -- why a cell of Explore's results table is empty (column help)
    "ik_help_childcare_empty": (
        "Empty: no childcare data for this neighbourhood (outside the area where childcare "
        "is mapped) — unknown, not zero.",
        "Leeg: geen gegevens over kinderopvang voor deze wijk (buiten het gebied waar "
        "opvang in kaart is gebracht) — onbekend, niet nul.",
        "Vide : pas de données d'accueil pour ce quartier (hors de la zone où l'accueil est "
        "cartographié) — inconnu, pas zéro.",
    ),
    "ik_help_price_empty": (
        "Municipal median sale price; empty where none is published for the municipality.",
        "Mediane verkoopprijs van de gemeente; leeg waar er geen gepubliceerd is.",
        "Prix de vente médian de la commune ; vide s'il n'est pas publié pour la commune.",
    ),
    "ik_help_chain_empty": (
        "Empty: no morning chain fits the limit from this neighbourhood.",
        "Leeg: geen ochtendrit past binnen de limiet vanuit deze wijk.",
        "Vide : aucun trajet du matin ne tient dans la limite depuis ce quartier.",
    ),
    # -- how much of an estimated time is estimated (engine's estimated_share)
    "ik_col_estimated_share": (
        "Estimated part ({n})",
        "Geschat deel ({n})",
        "Part estimée ({n})",
    ),
    "ik_estimated_share": ("estimated: {pct}%", "geschat: {pct}%", "estimé : {pct} %"),
    "ik_estimated": ("estimated", "geschat", "estimé"),
    "ik_help_estimated_share": (
        "How much of the time is estimated (straight-line stretches off the detailed street "
        "network) rather than routed; empty for a time routed all the way.",
        "Welk deel van de tijd geschat is (stukken in vogelvlucht buiten het gedetailleerde "
        "stratennet) in plaats van berekend over het net; leeg als de hele tijd berekend is.",
        "Part du temps estimée (tronçons à vol d'oiseau hors du réseau détaillé) plutôt que "
        "calculée sur le réseau ; vide quand tout le trajet est calculé.",
    ),
    # -- adult-education centres (profile section and Explore map layer)
    "ik_pf_section_adult_education": (
        "Adult education",
        "Volwassenenonderwijs",
        "Enseignement pour adultes",
    ),
    "ik_pf_adult_none": (
        "No adult-education centre in the data.",
        "Geen centrum voor volwassenenonderwijs in de gegevens.",
        "Aucun centre d'enseignement pour adultes dans les données.",
    ),
    "ik_pf_beyond": ("> {m} min", "> {m} min", "> {m} min"),
    "ik_pf_source_line": (
        "Source: {source} ({date}); licence: {licence}.",
        "Bron: {source} ({date}); licentie: {licence}.",
        "Source : {source} ({date}) ; licence : {licence}.",
    ),
    "ik_layer_adult_education": (
        "Adult education: CVO and basic education ({year}; the list names no courses)",
        "Volwassenenonderwijs: CVO en basiseducatie ({year}; de lijst noemt geen cursussen)",
        "Enseignement pour adultes : CVO et éducation de base ({year} ; la liste ne nomme "
        "aucun cours)",
    ),
    "ik_pf_star_estimated": (
        "✱: part of a time is estimated (outside the detailed network).",
        "✱: een deel van een tijd is geschat (buiten het gedetailleerde netwerk).",
        "✱ : une partie d'un temps est estimée (hors du réseau détaillé).",
    ),
}
