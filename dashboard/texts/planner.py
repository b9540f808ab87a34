"""Interface text: Planner page: service gaps and indicators (issue 11)."""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {
    "pl_intro": (
        "Which neighbourhoods have too little within reach? Choose the facilities, the mode, "
        "the time limit and the indicator; the map, the ranking and the downloads follow.",
        "Welke wijken hebben te weinig binnen bereik? Kies de voorzieningen, het vervoermiddel, "
        "de tijdsgrens en de indicator; kaart, rangschikking en downloads volgen.",
        "Quels quartiers ont trop peu à portée ? Choisissez les équipements, le mode, la limite "
        "de temps et l'indicateur ; la carte, le classement et les téléchargements suivent.",
    ),
    "pl_layer": ("Facilities", "Voorzieningen", "Équipements"),
    "pl_layer_primary_schools": ("Primary schools", "Lagere scholen", "Écoles primaires"),
    "pl_layer_secondary_schools": (
        "Secondary schools",
        "Secundaire scholen",
        "Écoles secondaires",
    ),
    "pl_layer_international_schools": (
        "International schools",
        "Internationale scholen",
        "Écoles internationales",
    ),
    "pl_layer_childcare": ("Childcare", "Kinderopvang", "Accueil de la petite enfance"),
    "pl_layer_stations": ("Railway stations", "Treinstations", "Gares"),
    "pl_layer_adult_education": (
        "Adult education",
        "Volwassenenonderwijs",
        "Enseignement pour adultes",
    ),
    "pl_mode": ("Mode", "Vervoermiddel", "Mode"),
    "pl_threshold": ("Time limit (minutes)", "Tijdsgrens (minuten)", "Limite de temps (minutes)"),
    "pl_indicator": ("Indicator", "Indicator", "Indicateur"),
    "pl_ind_nearest": (
        "Minutes to the nearest",
        "Minuten tot de dichtstbijzijnde",
        "Minutes jusqu'au plus proche",
    ),
    "pl_ind_count": (
        "Number within the limit (cumulative opportunities)",
        "Aantal binnen de grens (cumulatieve kansen)",
        "Nombre dans la limite (opportunités cumulées)",
    ),
    "pl_ind_fca": (
        "Capacity per resident (2SFCA)",
        "Capaciteit per inwoner (2SFCA)",
        "Capacité par habitant (2SFCA)",
    ),
    "pl_ind_e2sfca": (
        "Capacity per resident with distance decay (E2SFCA)",
        "Capaciteit per inwoner met afstandsverval (E2SFCA)",
        "Capacité par habitant avec décroissance (E2SFCA)",
    ),
    "pl_value_nearest": (
        "Minutes to the nearest",
        "Minuten tot de dichtstbijzijnde",
        "Minutes jusqu'au plus proche",
    ),
    "pl_value_count": (
        "Number within {t} min",
        "Aantal binnen {t} min",
        "Nombre à moins de {t} min",
    ),
    "pl_value_fca": (
        "Capacity per 1,000 residents within {t} min (2SFCA)",
        "Capaciteit per 1.000 inwoners binnen {t} min (2SFCA)",
        "Capacité pour 1 000 habitants à moins de {t} min (2SFCA)",
    ),
    "pl_value_e2sfca": (
        "Capacity per 1,000 residents (E2SFCA, zones up to {t} min)",
        "Capaciteit per 1.000 inwoners (E2SFCA, zones tot {t} min)",
        "Capacité pour 1 000 habitants (E2SFCA, zones jusqu'à {t} min)",
    ),
    "pl_municipalities": (
        "Municipalities (none: the whole region)",
        "Gemeenten (geen: de hele regio)",
        "Communes (aucune : toute la région)",
    ),
    "pl_bad_choices": (
        "{field}: {value} not offered; left out.",
        "{field}: {value} wordt niet aangeboden; weggelaten.",
        "{field} : {value} n'est pas proposé ; laissé de côté.",
    ),
    "pl_bad_choice": (
        "The {field} {value} is not offered; {default} is shown instead.",
        "De waarde {value} voor {field} wordt niet aangeboden; {default} wordt getoond.",
        "La valeur {value} pour {field} n'est pas proposée ; {default} est affiché.",
    ),
    "pl_summary": (
        "**{share}** of the residents counted live more than {t} minutes ({mode}) from the "
        "nearest of these facilities: {beyond} of {residents} residents in the {areas} "
        "neighbourhoods whose population is known; {missing} neighbourhoods shown are not "
        "counted (population or time unknown).",
        "**{share}** van de getelde inwoners woont meer dan {t} minuten ({mode}) van de "
        "dichtstbijzijnde van deze voorzieningen: {beyond} van {residents} inwoners in de "
        "{areas} wijken waarvan de bevolking gekend is; {missing} getoonde wijken tellen niet "
        "mee (bevolking of tijd onbekend).",
        "**{share}** des habitants comptés vivent à plus de {t} minutes ({mode}) du plus "
        "proche de ces équipements : {beyond} sur {residents} habitants dans les {areas} "
        "quartiers dont la population est connue ; {missing} quartiers affichés ne sont pas "
        "comptés (population ou temps inconnu).",
    ),
    "pl_summary_none": (
        "No share of residents: none of the {missing} neighbourhoods shown has both a known "
        "population and a known time.",
        "Geen aandeel inwoners: geen van de {missing} getoonde wijken heeft zowel een gekende "
        "bevolking als een gekende tijd.",
        "Pas de part d'habitants : aucun des {missing} quartiers affichés n'a à la fois une "
        "population et un temps connus.",
    ),
    "pl_shown": (
        "{n} neighbourhoods shown; {known} with a value, {missing} missing.",
        "{n} wijken getoond; {known} met een waarde, {missing} ontbrekend.",
        "{n} quartiers affichés ; {known} avec une valeur, {missing} manquantes.",
    ),
    "pl_capacity_schools": (
        "Capacity of schools: their 2022 pupil counts stand in for seats (no seat counts "
        "are published); {known} of {total} schools have one. A school number's count "
        "covers all its levels: a primary school with a nursery section counts its "
        "nursery pupils too, so primary capacity is overstated there.",
        "Capaciteit van scholen: hun leerlingenaantallen van 2022 staan voor plaatsen "
        "(plaatsen worden niet gepubliceerd); {known} van {total} scholen hebben er een. "
        "Het aantal van een schoolnummer telt al zijn niveaus: een lagere school met een "
        "kleuterafdeling telt ook haar kleuters, daar is de capaciteit voor lager onderwijs "
        "dus overschat.",
        "Capacité des écoles : leurs effectifs de 2022 tiennent lieu de places (aucun nombre "
        "de places n'est publié) ; {known} des {total} écoles en ont un. L'effectif d'un "
        "numéro d'école compte tous ses niveaux : une école primaire avec une section "
        "maternelle compte aussi ses élèves de maternelle, sa capacité primaire est donc "
        "surestimée.",
    ),
    "pl_capacity_childcare": (
        "Capacity of childcare: places where the source gives them ({known} of {total} locations).",
        "Capaciteit van kinderopvang: plaatsen waar de bron ze geeft ({known} van {total} "
        "locaties).",
        "Capacité de l'accueil : places là où la source les donne ({known} des {total} lieux).",
    ),
    "pl_no_capacity": (
        "These facilities have no capacity figures: the catchment indicators cannot be "
        "computed for them (every value is missing).",
        "Deze voorzieningen hebben geen capaciteitscijfers: de catchment-indicatoren kunnen "
        "er niet voor berekend worden (elke waarde ontbreekt).",
        "Ces équipements n'ont pas de chiffres de capacité : les indicateurs de zone de "
        "chalandise ne peuvent pas être calculés (chaque valeur manque).",
    ),
    "pl_e2sfca_zones": (
        "E2SFCA uses fixed zones ({zones}); the time limit does not change it.",
        "E2SFCA gebruikt vaste zones ({zones}); de tijdsgrens verandert er niets aan.",
        "E2SFCA utilise des zones fixes ({zones}) ; la limite de temps ne la change pas.",
    ),
    "pl_computing": (
        "Travel times from every neighbourhood to every facility (once per facility type and "
        "mode; up to half a minute by car)...",
        "Reistijden van elke wijk naar elke voorziening (eenmaal per type en vervoermiddel; "
        "tot een halve minuut met de auto)...",
        "Temps de trajet de chaque quartier vers chaque équipement (une fois par type et "
        "mode ; jusqu'à une demi-minute en voiture)...",
    ),
    "pl_map": ("Map", "Kaart", "Carte"),
    "pl_legend_missing": ("missing (see popup)", "ontbreekt (zie popup)", "manquant (voir popup)"),
    "pl_legend_estimated": ("time estimated", "tijd geschat", "temps estimé"),
    "pl_legend_lower_bound": (
        "partly mapped (bound)",
        "deels gekarteerd (grens)",
        "partiellement cartographié (borne)",
    ),
    "pl_worst": (
        "Worst-served neighbourhoods",
        "Slechtst bediende wijken",
        "Quartiers les moins bien desservis",
    ),
    "pl_worst_none": (
        "No neighbourhood shown has a value for this indicator.",
        "Geen enkele getoonde wijk heeft een waarde voor deze indicator.",
        "Aucun quartier affiché n'a de valeur pour cet indicateur.",
    ),
    "pl_distribution": ("Distribution", "Verdeling", "Distribution"),
    "pl_class": ("Class", "Klasse", "Classe"),
    "pl_neighbourhoods": ("Neighbourhoods", "Wijken", "Quartiers"),
    "pl_all": (
        "All neighbourhoods shown",
        "Alle getoonde wijken",
        "Tous les quartiers affichés",
    ),
    "pl_downloads": ("Downloads", "Downloads", "Téléchargements"),
    "pl_col_name": ("Neighbourhood", "Wijk", "Quartier"),
    "pl_col_municipality": ("Municipality", "Gemeente", "Commune"),
    "pl_col_population": ("Population", "Bevolking", "Population"),
    "pl_col_nearest": (
        "Minutes to the nearest",
        "Minuten tot dichtstbijzijnde",
        "Minutes au plus proche",
    ),
    "pl_col_estimated": ("Estimated", "Geschat", "Estimé"),
    "pl_col_lower_bound": ("Partly mapped", "Deels gekarteerd", "Partiellement cartographié"),
    "pl_col_reason": ("Why missing", "Waarom ontbrekend", "Pourquoi manquant"),
    "pl_col_detail": ("Detail", "Detail", "Détail"),
    "pl_unknown": ("unknown", "onbekend", "inconnu"),
    "pl_yes": ("yes", "ja", "oui"),
    "pl_no": ("no", "nee", "non"),
    "pl_reason_unmapped": (
        "no facilities of this kind are mapped here",
        "hier zijn geen voorzieningen van dit type gekarteerd",
        "aucun équipement de ce type n'est cartographié ici",
    ),
    "pl_reason_population": (
        "population unknown for a neighbourhood in the catchment",
        "bevolking onbekend voor een wijk in het verzorgingsgebied",
        "population inconnue pour un quartier de la zone de chalandise",
    ),
    "pl_reason_capacity": (
        "capacity unknown for a facility within reach",
        "capaciteit onbekend voor een voorziening binnen bereik",
        "capacité inconnue pour un équipement à portée",
    ),
    "pl_reason_time": ("travel time unknown", "reistijd onbekend", "temps de trajet inconnu"),
    "pl_reason_no_population": (
        "no neighbourhood with a known population",
        "geen wijk met gekende bevolking",
        "aucun quartier dont la population est connue",
    ),
    "pl_reason_no_capacity": (
        "no capacity figures for these facilities",
        "geen capaciteitscijfers voor deze voorzieningen",
        "pas de chiffres de capacité pour ces équipements",
    ),
    "pl_reason_no_station": (
        "no railway station within reach by this access mode",
        "geen treinstation binnen bereik met dit voortransport",
        "aucune gare à portée par ce mode d'accès",
    ),
    "pl_sources": ("Sources", "Bronnen", "Sources"),
    "pl_source_access": (
        "Accessibility: {title}. Source: {source}. Data dates: {date}. Licence: {licence}. "
        "Built {built}. {coverage}",
        "Bereikbaarheid: {title}. Bron: {source}. Datums van de gegevens: {date}. Licentie: "
        "{licence}. Gebouwd {built}. {coverage}",
        "Accessibilité : {title}. Source : {source}. Dates des données : {date}. Licence : "
        "{licence}. Construit le {built}. {coverage}",
    ),
    "pl_source_population": (
        "Population ({date}): known for {n} of {total} neighbourhoods; elsewhere it is "
        "missing (never 0), and so is every catchment value and share that needs it.",
        "Bevolking ({date}): gekend voor {n} van {total} wijken; elders ontbreekt ze (nooit "
        "0), en zo ook elke catchment-waarde en elk aandeel dat ze nodig heeft.",
        "Population ({date}) : connue pour {n} des {total} quartiers ; ailleurs elle manque "
        "(jamais 0), tout comme chaque valeur de zone de chalandise et chaque part qui en "
        "dépend.",
    ),
    "pl_method": ("Methodology", "Methodologie", "Méthodologie"),
    "pl_method_nearest": (
        "**Minutes to the nearest**: the shortest street-network time from the "
        "neighbourhood's representative point to a facility of the type, by the engine's "
        "rules (snap legs included). Beyond the street graphs' coverage the time is "
        "estimated (straight line x detour) and the neighbourhood has a dashed outline.",
        "**Minuten tot de dichtstbijzijnde**: de kortste tijd over het stratennet van het "
        "representatieve punt van de wijk tot een voorziening van het type, volgens de "
        "regels van de rekenmotor (aansluitstukken inbegrepen). Buiten het gebied van de "
        "stratengrafen is de tijd geschat (rechte lijn x omwegfactor) en heeft de wijk een "
        "gestippelde rand.",
        "**Minutes jusqu'au plus proche** : le plus court temps sur le réseau routier depuis "
        "le point représentatif du quartier jusqu'à un équipement du type, selon les règles "
        "du moteur (raccords inclus). Hors de la zone des graphes routiers, le temps est "
        "estimé (ligne droite x facteur de détour) et le quartier a un contour en tirets.",
    ),
    "pl_method_count": (
        "**Cumulative opportunities**: `C_i = #{{j : d_ij <= t}}`, the number of facilities "
        "within t minutes. Example: facilities at {d1}, {d2} and {d3} minutes give "
        "{c10} within 10, {c15} within 15 and {c30} within 30 minutes.",
        "**Cumulatieve kansen**: `C_i = #{{j : d_ij <= t}}`, het aantal voorzieningen binnen "
        "t minuten. Voorbeeld: voorzieningen op {d1}, {d2} en {d3} minuten geven {c10} binnen "
        "10, {c15} binnen 15 en {c30} binnen 30 minuten.",
        "**Opportunités cumulées** : `C_i = #{{j : d_ij <= t}}`, le nombre d'équipements à "
        "moins de t minutes. Exemple : des équipements à {d1}, {d2} et {d3} minutes donnent "
        "{c10} à moins de 10, {c15} à moins de 15 et {c30} à moins de 30 minutes.",
    ),
    "pl_method_fca": (
        "**2SFCA** (Luo & Wang 2003). Step 1, per facility j: `R_j = S_j / sum(P_k : d_kj "
        "<= d0)`, its capacity per resident of its catchment. Step 2, per neighbourhood i: "
        "`A_i = sum(R_j : d_ij <= d0)`. Shown per 1,000 residents, with d0 the time limit. "
        "Example: neighbourhoods of {p1} and {p2} residents, one crèche with {s} places at "
        "{d1} and {d2} minutes; with d0 = {d0}: R = {s} / ({p1} + {p2}) = {r}, so both get "
        "A = {a} places per resident.",
        "**2SFCA** (Luo & Wang 2003). Stap 1, per voorziening j: `R_j = S_j / sum(P_k : d_kj "
        "<= d0)`, haar capaciteit per inwoner van haar verzorgingsgebied. Stap 2, per wijk i: "
        "`A_i = sum(R_j : d_ij <= d0)`. Getoond per 1.000 inwoners, met d0 de tijdsgrens. "
        "Voorbeeld: wijken met {p1} en {p2} inwoners, één crèche met {s} plaatsen op {d1} en "
        "{d2} minuten; met d0 = {d0}: R = {s} / ({p1} + {p2}) = {r}, dus beide krijgen "
        "A = {a} plaatsen per inwoner.",
        "**2SFCA** (Luo & Wang 2003). Étape 1, par équipement j : `R_j = S_j / sum(P_k : "
        "d_kj <= d0)`, sa capacité par habitant de sa zone. Étape 2, par quartier i : "
        "`A_i = sum(R_j : d_ij <= d0)`. Affiché pour 1 000 habitants, d0 étant la limite de "
        "temps. Exemple : quartiers de {p1} et {p2} habitants, une crèche de {s} places à "
        "{d1} et {d2} minutes ; avec d0 = {d0} : R = {s} / ({p1} + {p2}) = {r}, donc les "
        "deux obtiennent A = {a} place par habitant.",
    ),
    "pl_method_e2sfca": (
        "**E2SFCA** (Luo & Qi 2009): both steps weighted by zone, `R_j = S_j / sum(P_k "
        "W(d_kj))` and `A_i = sum(R_j W(d_ij))`, with weights {weights}. Same example: "
        "R = {s} / ({p1} x {w1} + {p2} x {w2}) = {r}; the near neighbourhood gets {a1}, the "
        "far one {a2}.",
        "**E2SFCA** (Luo & Qi 2009): beide stappen gewogen per zone, `R_j = S_j / sum(P_k "
        "W(d_kj))` en `A_i = sum(R_j W(d_ij))`, met gewichten {weights}. Zelfde voorbeeld: "
        "R = {s} / ({p1} x {w1} + {p2} x {w2}) = {r}; de nabije wijk krijgt {a1}, de verre "
        "{a2}.",
        "**E2SFCA** (Luo & Qi 2009) : les deux étapes pondérées par zone, `R_j = S_j / "
        "sum(P_k W(d_kj))` et `A_i = sum(R_j W(d_ij))`, avec les poids {weights}. Même "
        "exemple : R = {s} / ({p1} x {w1} + {p2} x {w2}) = {r} ; le quartier proche obtient "
        "{a1}, le lointain {a2}.",
    ),
    "pl_method_train": (
        "**Train + walk, train + bike**: for the neighbourhoods with a station within "
        "{walk} minutes' walk or {bike} minutes by bike, the median door-to-door time over "
        "the {window} minutes before arriving at {arrive} (one deadline a minute, as the "
        "Explore page's train commutes): to the station, trains and transfers from the "
        "timetable, then on foot, or straight there by the access mode where that is "
        "faster. Timetable: NMBS, {date}. Other neighbourhoods have no value (no station "
        "within reach).",
        "**Trein + te voet, trein + fiets**: voor de wijken met een station binnen {walk} "
        "minuten te voet of {bike} minuten met de fiets, de mediaan van de reistijd van deur "
        "tot deur over de {window} minuten voor aankomst om {arrive} (één tijdstip per "
        "minuut, zoals de treinpendel op de pagina Verkennen): naar het station, treinen en "
        "overstappen volgens de dienstregeling, dan te voet, of rechtstreeks met het "
        "voortransport waar dat sneller is. Dienstregeling: NMBS, {date}. Andere wijken "
        "hebben geen waarde (geen station binnen bereik).",
        "**Train + à pied, train + vélo** : pour les quartiers avec une gare à {walk} "
        "minutes à pied ou {bike} minutes à vélo, la médiane du temps de porte à porte sur "
        "les {window} minutes avant l'arrivée à {arrive} (une échéance par minute, comme les "
        "trajets en train de la page Explorer) : jusqu'à la gare, trains et correspondances "
        "selon l'horaire, puis à pied, ou directement par le mode d'accès quand c'est plus "
        "rapide. Horaire : SNCB, {date}. Les autres quartiers n'ont pas de valeur (aucune "
        "gare à portée).",
    ),
    "pl_method_share": (
        "**Share of residents beyond the limit**: `sum(P_i : T_i > t) / sum(P_i)` over the "
        "neighbourhoods whose population and nearest time are known (T_i: minutes to the "
        "nearest). Example: {p1} residents at {d1} minutes and {p2} at {d2} minutes, t = "
        "{t}: {share}.",
        "**Aandeel inwoners buiten de grens**: `sum(P_i : T_i > t) / sum(P_i)` over de wijken "
        "waarvan bevolking en kortste tijd gekend zijn (T_i: minuten tot de dichtstbijzijnde). "
        "Voorbeeld: {p1} inwoners op {d1} minuten en {p2} op {d2} minuten, t = {t}: {share}.",
        "**Part des habitants au-delà de la limite** : `sum(P_i : T_i > t) / sum(P_i)` sur "
        "les quartiers dont la population et le temps au plus proche sont connus (T_i : "
        "minutes au plus proche). Exemple : {p1} habitants à {d1} minutes et {p2} à {d2} "
        "minutes, t = {t} : {share}.",
    ),
    "pl_method_missing": (
        "A value that needs an unknown number (a population, a capacity, a time) is missing "
        "with its reason, never 0; 0 means nothing within reach. Facilities outside the "
        "region draw residents from outside it too, which the catchments do not see.",
        "Een waarde die een onbekend getal nodig heeft (bevolking, capaciteit, tijd) "
        "ontbreekt met de reden, nooit 0; 0 betekent niets binnen bereik. Voorzieningen "
        "buiten de regio trekken ook inwoners van buiten de regio aan, die de "
        "verzorgingsgebieden niet zien.",
        "Une valeur qui dépend d'un nombre inconnu (population, capacité, temps) manque avec "
        "sa raison, jamais 0 ; 0 signifie rien à portée. Les équipements hors de la région "
        "attirent aussi des habitants extérieurs, que les zones ne voient pas.",
    ),
}
