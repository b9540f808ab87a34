"""Interface text: Printable intake report, PDF and HTML (issue 10).

Facts from the data (dates, sources, counts, reach limits) are placeholders filled from
the profiles and the manifests, never typed here.
"""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {
    "report_title": (
        "Relocation intake: neighbourhood report",
        "Verhuisintake: wijkrapport",
        "Accueil relocalisation : rapport de quartiers",
    ),
    "report_prepared": (
        "Prepared on {date} with Leuven Atlas (data snapshot of the sources listed at the end).",
        "Opgesteld op {date} met Leuven Atlas (momentopname van de bronnen achteraan).",
        "Préparé le {date} avec Leuven Atlas (instantané des sources listées à la fin).",
    ),
    "report_client": (
        "The client's workplaces and constraints",
        "Werkplekken en voorwaarden van de klant",
        "Lieux de travail et contraintes du client",
    ),
    "report_person": ("Person {n}", "Persoon {n}", "Personne {n}"),
    "report_labelled": ("{label}: {value}", "{label}: {value}", "{label} : {value}"),
    "report_minutes": ("{n} min", "{n} min", "{n} min"),
    "report_workplace_line": (
        "workplace at {lat}, {lon}; by {mode}, at most {minutes} min",
        "werkplek op {lat}, {lon}; met {mode}, hoogstens {minutes} min",
        "lieu de travail à {lat}, {lon} ; en {mode}, au plus {minutes} min",
    ),
    "report_arrive_line": (
        "train: arrive by {time} on {day}",
        "trein: aankomst tegen {time} op {day}",
        "train : arrivée avant {time} le {day}",
    ),
    "report_shortlist": ("Shortlist", "Selectie", "Sélection"),
    "report_map_caption": (
        "Numbered areas: the shortlisted neighbourhoods; stars: workplaces; squares: "
        "railway stations; grey lines: neighbourhood boundaries.",
        "Genummerde gebieden: de geselecteerde wijken; sterren: werkplekken; vierkantjes: "
        "treinstations; grijze lijnen: wijkgrenzen.",
        "Zones numérotées : les quartiers sélectionnés ; étoiles : lieux de travail ; "
        "carrés : gares ; lignes grises : limites des quartiers.",
    ),
    "report_map_workplace": ("Workplace {n}", "Werkplek {n}", "Lieu de travail {n}"),
    "report_map_station": ("Railway station", "Treinstation", "Gare"),
    "report_col_code": ("Code", "Code", "Code"),
    "report_col_name": ("Neighbourhood", "Wijk", "Quartier"),
    "report_col_municipality": ("Municipality", "Gemeente", "Commune"),
    "report_col_person_minutes": (
        "Person {n}: {mode} (min)",
        "Persoon {n}: {mode} (min)",
        "Personne {n} : {mode} (min)",
    ),
    "report_col_house": ("House median", "Mediaan huis", "Médiane maison"),
    "report_col_apartment": ("Apartment median", "Mediaan appartement", "Médiane appartement"),
    "report_kind_house": ("houses", "huizen", "maisons"),
    "report_kind_apartment": ("apartments", "appartementen", "appartements"),
    "report_prices_note": (
        "Prices are the municipality's median sale price in {year}, not the "
        "neighbourhood's (Statbel).",
        "Prijzen zijn de mediane verkoopprijs van de gemeente in {year}, niet van de wijk "
        "(Statbel).",
        "Les prix sont le prix de vente médian de la commune en {year}, pas du quartier (Statbel).",
    ),
    "report_col_score": ("Score (0-100)", "Score (0-100)", "Score (0-100)"),
    "report_score_title": ("Score components", "Onderdelen van de score", "Composantes du score"),
    "report_score_intro": (
        "Weights: {weights}. Each component runs from 0 (worst) to 1 (best) among the "
        "shortlisted neighbourhoods; the raw value is shown under it. A component without "
        "data is marked and left out of that neighbourhood's score, not counted as zero.",
        "Gewichten: {weights}. Elk onderdeel loopt van 0 (slechtst) tot 1 (best) binnen de "
        "geselecteerde wijken; de ruwe waarde staat eronder. Een onderdeel zonder gegevens "
        "wordt gemarkeerd en niet meegeteld, niet als nul gerekend.",
        "Poids : {weights}. Chaque composante va de 0 (pire) à 1 (meilleur) parmi les "
        "quartiers sélectionnés ; la valeur brute figure dessous. Une composante sans "
        "données est signalée et exclue du score, jamais comptée comme zéro.",
    ),
    "report_score_unavailable": (
        "No score: {reason}",
        "Geen score: {reason}",
        "Pas de score : {reason}",
    ),
    "report_score_all_zero": (
        "every weight is 0: give at least one component a weight",
        "alle gewichten staan op 0: geef minstens één onderdeel een gewicht",
        "tous les poids valent 0 : donnez un poids à au moins une composante",
    ),
    "report_score_failed": (
        "the shortlist's figures cannot be scored",
        "de cijfers van de shortlist kunnen niet gescoord worden",
        "les chiffres de la sélection ne peuvent pas être notés",
    ),
    "report_component_commute": ("Commute", "Pendel", "Trajet"),
    "report_component_schools": ("Schools", "Scholen", "Écoles"),
    "report_component_childcare": ("Childcare", "Kinderopvang", "Accueil d'enfants"),
    "report_component_transport": ("Public transport", "Openbaar vervoer", "Transports publics"),
    "report_component_price": ("Price", "Prijs", "Prix"),
    "report_raw_schools": (
        "{n} schools in the neighbourhood",
        "{n} scholen in de wijk",
        "{n} écoles dans le quartier",
    ),
    "report_raw_childcare": (
        "{n} childcare places mapped",
        "{n} opvanglocaties in kaart",
        "{n} lieux d'accueil cartographiés",
    ),
    "report_raw_transport": (
        "{n} stations and bus stops",
        "{n} stations en bushaltes",
        "{n} gares et arrêts de bus",
    ),
    "report_raw_price": ("house median {price}", "mediaan huis {price}", "médiane maison {price}"),
    "report_raw_commute": ("{minutes}", "{minutes}", "{minutes}"),
    "report_no_data": ("no data", "geen gegevens", "pas de données"),
    "report_beyond_limit": ("beyond the limit", "boven de limiet", "au-delà de la limite"),
    "report_commute_title": (
        "Commute from the neighbourhood's centre (minutes)",
        "Pendeltijd vanaf het midden van de wijk (minuten)",
        "Trajet depuis le centre du quartier (minutes)",
    ),
    "report_col_mode": ("Mode", "Vervoerswijze", "Mode"),
    "report_col_minutes": ("Minutes", "Minuten", "Minutes"),
    "report_col_spread": ("Range (p10-p90)", "Spreiding (p10-p90)", "Plage (p10-p90)"),
    "report_col_within": ("Within limit", "Binnen limiet", "Dans la limite"),
    "report_own_mode": ("{mode} (chosen)", "{mode} (gekozen)", "{mode} (choisi)"),
    "report_yes": ("yes", "ja", "oui"),
    "report_no": ("no", "nee", "non"),
    "report_no_time": ("no time", "geen tijd", "pas de temps"),
    "report_schools_title": (
        "Schools within {walk} min on foot or {bike} min by bike",
        "Scholen binnen {walk} min te voet of {bike} min met de fiets",
        "Écoles à moins de {walk} min à pied ou {bike} min à vélo",
    ),
    "report_level_nursery": ("Nursery", "Kleuteronderwijs", "Maternel"),
    "report_level_primary": ("Primary", "Lager onderwijs", "Primaire"),
    "report_level_secondary": ("Secondary", "Secundair onderwijs", "Secondaire"),
    "report_col_place": ("Name", "Naam", "Nom"),
    "report_col_distance": (
        "Straight line (km)",
        "Vogelvlucht (km)",
        "À vol d'oiseau (km)",
    ),
    "report_col_walk": ("On foot (min)", "Te voet (min)", "À pied (min)"),
    "report_col_bike": ("By bike (min)", "Met de fiets (min)", "À vélo (min)"),
    "report_col_car": ("By car (min)", "Met de auto (min)", "En voiture (min)"),
    "report_col_kind": ("Type", "Type", "Type"),
    "report_none_within": ("None within reach.", "Geen binnen bereik.", "Aucune à portée."),
    "report_more_places": (
        "... and {n} more",
        "... en nog {n}",
        "... et {n} de plus",
    ),
    "report_intl_title": (
        "International schools within {minutes} min by car",
        "Internationale scholen binnen {minutes} min met de auto",
        "Écoles internationales à moins de {minutes} min en voiture",
    ),
    "report_childcare_title": (
        "Childcare within {walk} min on foot or {bike} min by bike",
        "Kinderopvang binnen {walk} min te voet of {bike} min met de fiets",
        "Accueil d'enfants à moins de {walk} min à pied ou {bike} min à vélo",
    ),
    "report_childcare_lower_whole": (
        "Lower bound: the whole neighbourhood lies in the mapped zone, but OpenStreetMap may "
        "miss places.",
        "Ondergrens: de hele wijk ligt in de gekarteerde zone, maar OpenStreetMap kan "
        "plaatsen missen.",
        "Minimum : tout le quartier est dans la partie cartographiée, mais OpenStreetMap peut "
        "manquer des lieux.",
    ),
    "report_childcare_partial": (
        "Lower bound: childcare is mapped for only part of this neighbourhood ({share}% of "
        "its area); more places may exist.",
        "Ondergrens: kinderopvang is maar voor een deel van deze wijk in kaart gebracht "
        "({share}% van de oppervlakte); er kunnen meer plaatsen zijn.",
        "Minimum : l'accueil d'enfants n'est cartographié que pour une partie de ce quartier "
        "({share} % de sa surface) ; il peut y avoir d'autres lieux.",
    ),
    "report_childcare_none": (
        "Unknown: there is no childcare data for this neighbourhood (which is not the same "
        "as none).",
        "Onbekend: er zijn geen gegevens over kinderopvang voor deze wijk (wat niet "
        "hetzelfde is als geen opvang).",
        "Inconnu : aucune donnée d'accueil d'enfants pour ce quartier (ce qui ne veut pas "
        "dire qu'il n'y en a pas).",
    ),
    "report_adult_title": (
        "Adult-education centres (possible Dutch courses: ask the centre): the {n} nearest",
        "Centra voor volwassenenonderwijs (misschien lessen Nederlands: vraag het aan het "
        "centrum): de {n} dichtste",
        "Centres d'enseignement pour adultes (cours de néerlandais possibles : demandez au "
        "centre) : les {n} plus proches",
    ),
    "report_adult_note": (
        "The official list names the centres, not their courses: whether a centre teaches "
        "Dutch as a second language (NT2) is not in the data; ask the centre.",
        "De officiële lijst noemt de centra, niet hun cursussen: of een centrum Nederlands "
        "als tweede taal (NT2) geeft, staat niet in de gegevens; vraag het aan het centrum.",
        "La liste officielle nomme les centres, pas leurs cours : les données ne disent pas "
        "si un centre enseigne le néerlandais langue seconde (NT2) ; renseignez-vous auprès "
        "du centre.",
    ),
    "report_adult_kind_cvo": (
        "Adult education centre (CVO)",
        "Centrum voor volwassenenonderwijs (CVO)",
        "Centre d'enseignement pour adultes (CVO)",
    ),
    "report_adult_kind_basiseducatie": (
        "Basic education centre",
        "Centrum voor basiseducatie",
        "Centre d'éducation de base",
    ),
    "report_col_from_home": ("From home", "Vanaf thuis", "Depuis le domicile"),
    "report_col_from_work": (
        "From work, person {n}",
        "Vanaf het werk, persoon {n}",
        "Depuis le travail, personne {n}",
    ),
    "report_station_title": (
        "Nearest railway station",
        "Dichtste treinstation",
        "Gare la plus proche",
    ),
    "report_station_line": (
        "{name}: {km} km in a straight line; {trains} trains stop there on {day}.",
        "{name}: {km} km in vogelvlucht; er stoppen {trains} treinen op {day}.",
        "{name} : {km} km à vol d'oiseau ; {trains} trains s'y arrêtent le {day}.",
    ),
    "report_trains_towards": (
        "Direct trains towards {target}: {n}",
        "Rechtstreekse treinen richting {target}: {n}",
        "Trains directs vers {target} : {n}",
    ),
    "report_trains_is_target": (
        "This is a {target} station.",
        "Dit is een station van {target}.",
        "C'est une gare de {target}.",
    ),
    "report_target_leuven": ("Leuven", "Leuven", "Louvain"),
    "report_target_brussels": ("Brussels", "Brussel", "Bruxelles"),
    "report_no_station": (
        "No station in the data.",
        "Geen station in de gegevens.",
        "Aucune gare dans les données.",
    ),
    "report_prices_title": (
        "Median sale prices of {municipality} (municipality, not the neighbourhood)",
        "Mediane verkoopprijzen van {municipality} (gemeente, niet de wijk)",
        "Prix de vente médians de {municipality} (commune, pas le quartier)",
    ),
    "report_prices_latest": (
        "{year}: house {house}, apartment {apartment}",
        "{year}: huis {house}, appartement {apartment}",
        "{year} : maison {house}, appartement {apartment}",
    ),
    "report_prices_chart": (
        "Median sale price per year, by municipality (solid: houses, dashed: apartments)",
        "Mediane verkoopprijs per jaar, per gemeente (volle lijn: huizen, streepjes: "
        "appartementen)",
        "Prix de vente médian par an, par commune (trait plein : maisons, tirets : appartements)",
    ),
    "report_col_year": ("Year", "Jaar", "Année"),
    "report_population_title": ("Population", "Bevolking", "Population"),
    "report_population_wijk_year": (
        "Neighbourhood ({year}): {n}",
        "Wijk ({year}): {n}",
        "Quartier ({year}) : {n}",
    ),
    "report_population_muni_year": (
        "Municipality ({year}): {n}",
        "Gemeente ({year}): {n}",
        "Commune ({year}) : {n}",
    ),
    "report_population_note": (
        "Why the neighbourhood's population is unknown: {note}",
        "Waarom het aantal inwoners van de wijk onbekend is: {note}",
        "Pourquoi la population du quartier est inconnue : {note}",
    ),
    "report_population_wijk": (
        "Neighbourhood: {n}",
        "Wijk: {n}",
        "Quartier : {n}",
    ),
    "report_population_muni": (
        "Municipality: {n}",
        "Gemeente: {n}",
        "Commune : {n}",
    ),
    "report_households": (
        "Households in the municipality ({year}): {n}",
        "Huishoudens in de gemeente ({year}): {n}",
        "Ménages dans la commune ({year}) : {n}",
    ),
    "report_unknown": ("unknown", "onbekend", "inconnu"),
    "report_section_sources": ("Sources: {sources}", "Bronnen: {sources}", "Sources : {sources}"),
    "report_sources_title": ("Sources and dates", "Bronnen en data", "Sources et dates"),
    "report_col_layer": ("Data", "Gegevens", "Données"),
    "report_col_source": ("Source", "Bron", "Source"),
    "report_col_date": ("Data date", "Datum van de gegevens", "Date des données"),
    "report_col_licence": ("Licence", "Licentie", "Licence"),
    "report_estimated_note": (
        "* estimated: partly not computed on a real street network or timetable (beyond the "
        "area the detailed street graphs cover: network to its edge, then straight line "
        "times a detour factor measured on the graph, or the regional car model).",
        "* geschat: deels niet berekend op een echt stratennet of dienstregeling (buiten het "
        "gebied dat de gedetailleerde stratengrafen dekken: netwerk tot de rand, daarna "
        "vogelvlucht maal een op de graaf gemeten omwegfactor, of het regionale automodel).",
        "* estimé : en partie pas calculé sur un vrai réseau ni un horaire (au-delà de la zone "
        "couverte par les graphes routiers détaillés : réseau jusqu'au bord, puis ligne "
        "droite fois un facteur de détour mesuré sur le graphe, ou le modèle routier "
        "régional).",
    ),
    "report_page": ("Page {n}", "Pagina {n}", "Page {n}"),
    # -- the one-click report in the app (dashboard.report.download)
    "report_app_title": ("Intake report", "Intakerapport", "Rapport d'accueil"),
    "report_app_button": (
        "Prepare the intake report ({n} neighbourhoods)",
        "Intakerapport opstellen ({n} wijken)",
        "Préparer le rapport d'accueil ({n} quartiers)",
    ),
    "report_app_building": (
        "Preparing the report…",
        "Rapport wordt opgesteld…",
        "Préparation du rapport…",
    ),
    "report_app_help": (
        "A PDF and a print-friendly page of this view (workplaces, limits, weights and the "
        "neighbourhoods above), to hand to the family; prepared when you click.",
        "Een PDF en een afdrukbare pagina van deze weergave (werkplekken, limieten, gewichten "
        "en de wijken hierboven) om aan het gezin te geven; opgesteld wanneer u klikt.",
        "Un PDF et une page imprimable de cette vue (lieux de travail, limites, poids et "
        "quartiers ci-dessus), à remettre à la famille ; préparés au clic.",
    ),
    "report_app_pdf": ("Download the PDF", "PDF downloaden", "Télécharger le PDF"),
    "report_app_html": (
        "Download the print page (HTML)",
        "Afdrukpagina downloaden (HTML)",
        "Télécharger la page imprimable (HTML)",
    ),
    "report_app_ready": (
        "The report shows this view; change a workplace, limit, weight or neighbourhood and "
        "prepare it again.",
        "Het rapport toont deze weergave; wijzigt u een werkplek, limiet, gewicht of wijk, "
        "stel het dan opnieuw op.",
        "Le rapport montre cette vue ; après un changement de lieu de travail, de limite, de "
        "poids ou de quartier, préparez-le à nouveau.",
    ),
    "report_app_refused": (
        "The report could not be prepared ({what}): {msg}",
        "Het rapport kon niet worden opgesteld ({what}): {msg}",
        "Le rapport n'a pas pu être préparé ({what}) : {msg}",
    ),
    "report_app_failed": (
        "The report could not be prepared: {msg}",
        "Het rapport kon niet worden opgesteld: {msg}",
        "Le rapport n'a pas pu être préparé : {msg}",
    ),
}
