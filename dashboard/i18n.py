"""Interface text in English, Dutch and French: one table and a ``t()`` helper.

Only the interface is translated; names of places, schools and sources stay as the
source writes them.  At run time a missing translation falls back to English, and a
missing key shows the key itself, so a gap is visible but never breaks a page;
:func:`missing_translations` lists the gaps for the tests, which fail on any.
"""

from __future__ import annotations

import re
from typing import Final

from dashboard.escaping import markdown_text
from dashboard.texts import FEATURE_TABLES

LANGUAGES: Final[dict[str, str]] = {"en": "English", "nl": "Nederlands", "fr": "Français"}
DEFAULT_LANGUAGE: Final[str] = "en"

#: key -> (English, Dutch, French): the core interface; feature texts live in
#: :mod:`dashboard.texts` and are merged below.
_CORE: Final[dict[str, tuple[str, str, str]]] = {
    # app and navigation
    "app_title": ("Leuven Atlas", "Leuven Atlas", "Leuven Atlas"),
    "language": ("Language", "Taal", "Langue"),
    "page_explore": ("Explore", "Verkennen", "Explorer"),
    "page_neighbourhoods": ("Neighbourhoods", "Wijken", "Quartiers"),
    "page_planner": ("Planner", "Planner", "Planificateur"),
    "page_sources": ("Data & sources", "Data & bronnen", "Données & sources"),
    "osm_credit": (
        "Map data © OpenStreetMap contributors.",
        "Kaartgegevens © OpenStreetMap-bijdragers.",
        "Données cartographiques © contributeurs OpenStreetMap.",
    ),
    "explore_intro": (
        "Where could we live, given where we work? Neighbourhoods (wijken) ranked by commute "
        "time to the workplace(s), with schools, childcare and prices.",
        "Waar kunnen we wonen, gegeven waar we werken? Wijken gerangschikt op pendeltijd naar "
        "de werkplek(ken), met scholen, kinderopvang en prijzen.",
        "Où pourrions-nous habiter, vu où nous travaillons ? Quartiers classés selon le temps "
        "de trajet vers le(s) lieu(x) de travail, avec écoles, accueil d'enfants et prix.",
    ),
    # workplace
    "person_1": ("Person 1", "Persoon 1", "Personne 1"),
    "person_2": ("Person 2", "Persoon 2", "Personne 2"),
    "second_workplace": (
        "Add a second workplace (partner)",
        "Tweede werkplek toevoegen (partner)",
        "Ajouter un second lieu de travail (partenaire)",
    ),
    "workplace": ("Workplace", "Werkplek", "Lieu de travail"),
    "how_preset": ("Preset", "Voorkeuze", "Présélection"),
    "how_address": ("Address", "Adres", "Adresse"),
    "how_coords": ("Coordinates / map click", "Coördinaten / klik op kaart", "Coordonnées / clic"),
    "choose_by": ("Choose by", "Kies via", "Choisir par"),
    "preset": (
        "Employer, campus or station",
        "Werkgever, campus of station",
        "Employeur, campus ou gare",
    ),
    "address_search": (
        "Search an address, station, municipality or major workplace",
        "Zoek een adres, station, gemeente of grote werkgever",
        "Chercher une adresse, une gare, une commune ou un grand employeur",
    ),
    "address_match": ("Matching addresses", "Gevonden adressen", "Adresses trouvées"),
    "address_none": (
        "No address matches this search.",
        "Geen adres gevonden voor deze zoekopdracht.",
        "Aucune adresse ne correspond à cette recherche.",
    ),
    "address_hint": (
        "Type at least 3 characters. Offline index: every Belgian railway station (NL/FR/EN "
        "names), the municipalities and deelgemeenten of Flanders and Brussels, major "
        "workplaces (EU institutions, NATO, airport, hospitals, universities...), and street "
        "and school addresses of the Leuven region.",
        "Typ minstens 3 tekens. Offline index: elk Belgisch treinstation (namen in NL/FR/EN), "
        "de gemeenten en deelgemeenten van Vlaanderen en Brussel, grote werkgevers "
        "(EU-instellingen, NAVO, luchthaven, ziekenhuizen, universiteiten...), en straat- en "
        "schooladressen van de regio Leuven.",
        "Tapez au moins 3 caractères. Index hors ligne : toutes les gares belges (noms NL/FR/"
        "EN), les communes et sections de Flandre et de Bruxelles, les grands employeurs "
        "(institutions européennes, OTAN, aéroport, hôpitaux, universités...), et les "
        "adresses de rues et d'écoles de la région de Louvain.",
    ),
    "workplace_area_centre": (
        "{who}: the workplace is the centre of {label} (a point inside the area, not an "
        "address); for a precise time, pick an address or a point on the map.",
        "{who}: de werkplek is het centrum van {label} (een punt binnen het gebied, geen "
        "adres); kies voor een precieze tijd een adres of een punt op de kaart.",
        "{who} : le lieu de travail est le centre de {label} (un point dans la zone, pas une "
        "adresse) ; pour un temps précis, choisissez une adresse ou un point sur la carte.",
    ),
    "budget_strict": (
        "Strict budget: hide neighbourhoods whose municipal median is above it",
        "Strikt budget: verberg wijken waarvan de gemeentelijke mediaan erboven ligt",
        "Budget strict : masquer les quartiers dont la médiane communale le dépasse",
    ),
    "budget_strict_help": (
        "Off: such neighbourhoods stay, flagged “median above budget” (a municipal median "
        "is context, not the price of a house in the neighbourhood).",
        "Uit: zulke wijken blijven, gemarkeerd met “mediaan boven budget” (een "
        "gemeentelijke mediaan is context, niet de prijs van een huis in de wijk).",
        "Désactivé : ces quartiers restent, signalés « médiane au-dessus du budget » (une "
        "médiane communale est un contexte, pas le prix d'une maison du quartier).",
    ),
    "sort_by": ("Order results by", "Resultaten ordenen op", "Trier les résultats par"),
    "sort_commute": ("Commute", "Reistijd", "Trajet"),
    "sort_budget": (
        "Within budget first",
        "Binnen budget eerst",
        "Dans le budget d'abord",
    ),
    "geocoder_off": (
        "Search is offline only: stations, municipalities, major workplaces and Leuven-region "
        "addresses (no online geocoder configured).",
        "Zoeken werkt enkel offline: stations, gemeenten, grote werkgevers en adressen van de "
        "regio Leuven (geen online geocoder ingesteld).",
        "Recherche hors ligne uniquement : gares, communes, grands employeurs et adresses de "
        "la région de Louvain (aucun géocodeur en ligne configuré).",
    ),
    "geocoder_on": (
        "Online geocoder on ({host}): its matches in the region follow the offline ones.",
        "Online geocoder aan ({host}): zijn resultaten in de regio volgen op de offline "
        "resultaten.",
        "Géocodeur en ligne actif ({host}) : ses résultats dans la région suivent ceux hors ligne.",
    ),
    "geocoder_failed": (
        "Online address search failed: {msg}. Offline matches are still shown.",
        "Online adres zoeken mislukt: {msg}. Offline resultaten blijven zichtbaar.",
        "La recherche d'adresse en ligne a échoué : {msg}. Les résultats hors ligne restent.",
    ),
    "online": ("online", "online", "en ligne"),
    "latitude": ("Latitude", "Breedtegraad", "Latitude"),
    "longitude": ("Longitude", "Lengtegraad", "Longitude"),
    "click_target": ("A map click sets", "Een klik op de kaart zet", "Un clic sur la carte fixe"),
    "click_hint": (
        "Map click mode: every click on the map sets the workplace, also on a neighbourhood "
        "or a point.",
        "Klikmodus: elke klik op de kaart zet de werkplek, ook op een wijk of een punt.",
        "Mode clic : chaque clic sur la carte place le lieu de travail, même sur un quartier "
        "ou un point.",
    ),
    "map_click_help": (
        "Map: click a neighbourhood or a point for its details; click a spot without one to "
        "set the workplace there. With “Coordinates / map click” chosen, every click sets "
        "the workplace.",
        "Kaart: klik op een wijk of een punt voor details; klik op een lege plek om daar de "
        "werkplek te zetten. Met “Coördinaten / klik op kaart” zet elke klik de werkplek.",
        "Carte : cliquez sur un quartier ou un point pour ses détails ; cliquez sur un endroit "
        "vide pour y placer le lieu de travail. Avec « Coordonnées / clic », "
        "chaque clic place le lieu de travail.",
    ),
    "mode": ("Mode", "Vervoerswijze", "Mode"),
    "max_minutes": ("Maximum minutes", "Maximum minuten", "Minutes maximum"),
    "arrive_by": ("Arrive by (train)", "Aankomen om (trein)", "Arriver à (train)"),
    "travel_day": ("Travel day (train)", "Reisdag (trein)", "Jour du trajet (train)"),
    "travel_day_help": (
        "Trains run the {year} NMBS timetable of the same weekday. Default: next Tuesday.",
        "Treinen volgen de NMBS-dienstregeling {year} van dezelfde weekdag. Standaard: "
        "volgende dinsdag.",
        "Les trains suivent l'horaire SNCB {year} du même jour de la semaine. Par défaut : "
        "mardi prochain.",
    ),
    "mode_walk": ("Walk", "Te voet", "À pied"),
    "mode_bike": ("Bike", "Fiets", "Vélo"),
    "mode_ebike": ("E-bike", "Elektrische fiets", "Vélo électrique"),
    "mode_car": ("Car", "Auto", "Voiture"),
    "mode_train_walk": ("Train + walk", "Trein + te voet", "Train + à pied"),
    "mode_train_bike": ("Train + bike", "Trein + fiets", "Train + vélo"),
    "mode_walk_bus": (
        "Walk + bus (estimated, central Leuven)",
        "Te voet + bus (schatting, centrum Leuven)",
        "À pied + bus (estimation, centre de Louvain)",
    ),
    # filters
    "filters": ("Filters", "Filters", "Filtres"),
    "school_level": ("School level", "Schoolniveau", "Niveau scolaire"),
    "school_net": ("School network", "Onderwijsnet", "Réseau scolaire"),
    "school_language": ("School language", "Taal van de school", "Langue de l'école"),
    "international_only": (
        "International schools only",
        "Enkel internationale scholen",
        "Écoles internationales uniquement",
    ),
    "childcare_type": ("Childcare type", "Type kinderopvang", "Type d'accueil d'enfants"),
    "childcare_keep_unknown": (
        "Keep neighbourhoods without childcare data",
        "Wijken zonder opvanggegevens behouden",
        "Garder les quartiers sans données d'accueil",
    ),
    "budget_type": ("Budget for", "Budget voor", "Budget pour"),
    "budget_max": (
        "Budget (EUR, 0 = none): flags a municipal median above it",
        "Budget (EUR, 0 = geen): markeert een gemeentelijke mediaan erboven",
        "Budget (EUR, 0 = aucun) : signale une médiane communale au-dessus",
    ),
    "house": ("House", "Huis", "Maison"),
    "apartment": ("Apartment", "Appartement", "Appartement"),
    "any": ("Any", "Alle", "Tous"),
    "level_kleuter": ("Nursery (kleuter)", "Kleuter", "Maternel (kleuter)"),
    "level_lager": ("Primary (lager)", "Lager", "Primaire (lager)"),
    "level_secundair": ("Secondary (secundair)", "Secundair", "Secondaire (secundair)"),
    "level_buitengewoon": (
        "Special needs (buitengewoon)",
        "Buitengewoon",
        "Enseignement spécialisé (buitengewoon)",
    ),
    "colour_by": (
        "Colour neighbourhoods by",
        "Kleur wijken volgens",
        "Colorer les quartiers selon",
    ),
    "colour_commute": ("Commute time", "Pendeltijd", "Temps de trajet"),
    "colour_price": ("Price", "Prijs", "Prix"),
    # results
    "results": ("Results", "Resultaten", "Résultats"),
    "n_results": (
        "{n} of {total} neighbourhoods match.",
        "{n} van {total} wijken voldoen.",
        "{n} quartiers sur {total} correspondent.",
    ),
    "no_results": (
        "No neighbourhood matches: raise the time limit, change the mode or relax a filter.",
        "Geen enkele wijk voldoet: verhoog de tijdslimiet, kies een andere vervoerswijze of "
        "versoepel een filter.",
        "Aucun quartier ne correspond : augmentez la limite de temps, changez de mode ou "
        "assouplissez un filtre.",
    ),
    "estimated_note": (
        "Times marked estimated (dashed outline on the map) are not wholly routed on a real "
        "network or timetable: beyond the area the street graphs cover (Data & sources), the "
        "rest of the trip is straight-line distance x a detour factor measured on the graph, "
        "or the time comes from the regional car model or the walk + bus frequency model.",
        "Tijden gemarkeerd als geschat (stippellijn op de kaart) zijn niet volledig berekend "
        "op een echt netwerk of dienstregeling: buiten het gebied dat de stratengrafen dekken "
        "(Data & bronnen) is de rest van de rit vogelvluchtafstand x een omwegfactor gemeten "
        "op de graaf, of komt de tijd uit het regionale automodel of het frequentiemodel te "
        "voet + bus.",
        "Les temps marqués estimés (contour en tirets sur la carte) ne sont pas entièrement "
        "calculés sur un réseau ou un horaire réel : au-delà de la zone couverte par les "
        "graphes routiers (Données & sources), le reste du trajet est la distance à vol "
        "d'oiseau x un facteur de détour mesuré sur le graphe, ou le temps vient du modèle "
        "routier régional ou du modèle de fréquences à pied + bus.",
    ),
    "train_note": (
        "Train times: typical = median over the hour before the arrival time; range = 10th-90th "
        "percentile. Timetable used: NMBS {year} feed, {feed} (the same weekday as {day}).",
        "Treintijden: typisch = mediaan over het uur voor de aankomsttijd; bereik = 10e-90e "
        "percentiel. Gebruikte dienstregeling: NMBS {year}, {feed} (dezelfde weekdag als {day}).",
        "Temps en train : typique = médiane sur l'heure avant l'arrivée ; plage = 10e-90e "
        "centile. Horaire utilisé : SNCB {year}, {feed} (même jour de la semaine que {day}).",
    ),
    "spread_text": (
        "typical {m} min, {lo}–{hi} min over the hour before arrival",
        "typisch {m} min, {lo}–{hi} min over het uur voor aankomst",
        "typique {m} min, {lo}–{hi} min sur l'heure avant l'arrivée",
    ),
    "walk_bus_note": (
        "Walk + bus is an estimate for central Leuven only (bus stop order from OpenStreetMap, "
        "frequencies of the De Lijn feed of {year}, assumed bus speed); where no bus helps, the "
        "walking time stands.",
        "Te voet + bus is een schatting, enkel voor centraal Leuven (haltevolgorde uit "
        "OpenStreetMap, frequenties uit de De Lijn-feed van {year}, aangenomen bussnelheid); "
        "waar geen bus helpt, geldt de wandeltijd.",
        "À pied + bus est une estimation pour le centre de Louvain seulement (ordre des arrêts "
        "OpenStreetMap, fréquences du flux De Lijn de {year}, vitesse de bus supposée) ; sans "
        "bus utile, le temps à pied s'applique.",
    ),
    "isochrone_note_mode": (
        "No isochrone for {who} with {mode}: areas are drawn only for reach on the street network "
        "(walk, bike, e-bike, car); train and bus times are shown per neighbourhood.",
        "Geen isochroon voor {who} met {mode}: gebieden worden enkel getekend voor bereik op het "
        "stratennet (te voet, fiets, e-bike, auto); trein- en bustijden staan per wijk.",
        "Pas d'isochrone pour {who} avec {mode} : les zones ne sont dessinées que pour la portée "
        "sur le réseau routier (marche, vélo, vélo électrique, voiture) ; les temps en train et "
        "bus sont donnés par quartier.",
    ),
    "isochrone_note_outside": (
        "No isochrone for {who}: the workplace is outside the area the detailed street network "
        "covers (Data & sources); network-based reach only, estimated times are shown per "
        "neighbourhood.",
        "Geen isochroon voor {who}: de werkplek ligt buiten het gebied dat het gedetailleerde "
        "stratennet dekt (Data & bronnen); enkel bereik op het netwerk, geschatte tijden staan "
        "per wijk.",
        "Pas d'isochrone pour {who} : le lieu de travail est hors de la zone couverte par le "
        "réseau routier détaillé (Données & sources) ; portée sur le réseau seulement, les "
        "temps estimés sont donnés par quartier.",
    ),
    "childcare_partial_note": (
        "Childcare: only OpenStreetMap objects of central Leuven ({year}); elsewhere no data.",
        "Kinderopvang: enkel OpenStreetMap-objecten in centraal Leuven ({year}); elders geen data.",
        "Accueil d'enfants : seulement les objets OpenStreetMap du centre de Louvain ({year}) ; "
        "ailleurs pas de données.",
    ),
    "schools_sites_note": (
        "Schools: the official list ({year}) gives each school number at its main seat only; "
        "schools sharing an address are one point, and other campuses are missing.",
        "Scholen: de officiële lijst ({year}) geeft elk schoolnummer enkel op de hoofdzetel; "
        "scholen op hetzelfde adres zijn één punt, andere vestigingsplaatsen ontbreken.",
        "Écoles : la liste officielle ({year}) donne chaque numéro d'école à son siège "
        "principal seulement ; les écoles à une même adresse forment un point, les autres "
        "implantations manquent.",
    ),
    "col_school_sites": ("School sites", "Schoollocaties", "Sites scolaires"),
    "price_note": (
        "Prices are the municipality's median sale price (Statbel), not the neighbourhood's.",
        "Prijzen zijn de mediane verkoopprijs van de gemeente (Statbel), niet van de wijk.",
        "Les prix sont le prix de vente médian de la commune (Statbel), pas du quartier.",
    ),
    "download_csv": ("Download CSV", "CSV downloaden", "Télécharger CSV"),
    "download_geojson": ("Download GeoJSON", "GeoJSON downloaden", "Télécharger GeoJSON"),
    "download_gpkg": ("Download GeoPackage", "GeoPackage downloaden", "Télécharger GeoPackage"),
    "computing": ("Computing commute times…", "Pendeltijden berekenen…", "Calcul des trajets…"),
    "building_map": ("Drawing the map…", "Kaart tekenen…", "Dessin de la carte…"),
    "outside_coverage": (
        "The workplace of {who} is outside the covered region: {msg}",
        "De werkplek van {who} ligt buiten het gedekte gebied: {msg}",
        "Le lieu de travail de {who} est hors de la région couverte : {msg}",
    ),
    "bad_input": ("{who}: {msg}", "{who}: {msg}", "{who} : {msg}"),
    "wp_unknown_preset": (
        "{who}: the workplace preset {ref} is not in the data; choose another one.",
        "{who}: de voorkeuze {ref} staat niet in de data; kies een andere.",
        "{who} : la présélection {ref} n'est pas dans les données ; choisissez-en une autre.",
    ),
    "wp_unknown_address": (
        "{who}: the address {ref} is not in the address index; search it again or choose "
        "the workplace another way.",
        "{who}: het adres {ref} staat niet in de adresindex; zoek het opnieuw of kies de "
        "werkplek op een andere manier.",
        "{who} : l'adresse {ref} n'est pas dans l'index des adresses ; cherchez-la à nouveau "
        "ou choisissez le lieu de travail autrement.",
    ),
    "wp_no_address_index": (
        "{who}: the address index is missing or unreadable ({msg}); choose the workplace by "
        "preset or coordinates.",
        "{who}: de adresindex ontbreekt of is onleesbaar ({msg}); kies de werkplek via een "
        "voorkeuze of coördinaten.",
        "{who} : l'index des adresses est manquant ou illisible ({msg}) ; choisissez le lieu "
        "de travail par présélection ou coordonnées.",
    ),
    "wp_bad_coordinates": (
        "{who}: {ref} is not a usable coordinate pair ({msg}).",
        "{who}: {ref} is geen bruikbaar coördinatenpaar ({msg}).",
        "{who} : {ref} n'est pas une paire de coordonnées utilisable ({msg}).",
    ),
    "wp_location_unknown": (
        "{who}: {msg} is listed, but its location is unknown; it cannot be used as a "
        "workplace. Choose another way.",
        "{who}: {msg} staat in de lijst, maar de locatie is onbekend; het kan geen werkplek "
        "zijn. Kies op een andere manier.",
        "{who} : {msg} est listé, mais sa position est inconnue ; il ne peut pas servir de "
        "lieu de travail. Choisissez autrement.",
    ),
    "location_unknown_list": (
        "Location unknown, so not offered as a workplace: {names}",
        "Locatie onbekend, dus niet aangeboden als werkplek: {names}",
        "Position inconnue, donc non proposé comme lieu de travail : {names}",
    ),
    "address_no_match_cleared": (
        "{who}: no address matches “{q}”. No workplace is set for {who}: pick a match, "
        "or choose by preset or coordinates.",
        "{who}: geen adres gevonden voor “{q}”. Er is geen werkplek voor {who}: kies een "
        "resultaat, of kies via voorkeuze of coördinaten.",
        "{who} : aucune adresse ne correspond à « {q} ». Aucun lieu de travail pour {who} : "
        "choisissez un résultat, ou passez par présélection ou coordonnées.",
    ),
    "address_pick_prompt": (
        "{who}: search an address and pick a match to set the workplace.",
        "{who}: zoek een adres en kies een resultaat om de werkplek te zetten.",
        "{who} : cherchez une adresse et choisissez un résultat pour fixer le lieu de travail.",
    ),
    "no_results_because": (
        "No neighbourhood matches. What removed them: {reasons}.",
        "Geen enkele wijk voldoet. Wat ze uitsloot: {reasons}.",
        "Aucun quartier ne correspond. Ce qui les a exclus : {reasons}.",
    ),
    "removed_time": (
        "{n} beyond the time limit",
        "{n} buiten de tijdslimiet",
        "{n} au-delà de la limite de temps",
    ),
    "removed_time_person": (
        "{n} beyond {who}'s time limit",
        "{n} buiten de tijdslimiet van {who}",
        "{n} au-delà de la limite de temps de {who}",
    ),
    "removed_schools": (
        "{n} without a matching school",
        "{n} zonder passende school",
        "{n} sans école correspondante",
    ),
    "removed_international": (
        "{n} without an international school",
        "{n} zonder internationale school",
        "{n} sans école internationale",
    ),
    "removed_childcare": (
        "{n} without matching childcare",
        "{n} zonder passende opvang",
        "{n} sans accueil correspondant",
    ),
    "removed_budget": (
        "{n} with a municipal median above the budget",
        "{n} met een gemeentelijke mediaan boven het budget",
        "{n} avec une médiane communale au-dessus du budget",
    ),
    "data_missing": (
        "A data file is missing or unreadable: {msg}",
        "Een databestand ontbreekt of is onleesbaar: {msg}",
        "Un fichier de données est manquant ou illisible : {msg}",
    ),
    "presets_missing": (
        "Workplace presets unavailable ({msg}); railway stations are offered instead.",
        "Voorkeuzes voor werkplekken niet beschikbaar ({msg}); treinstations worden aangeboden.",
        "Présélections indisponibles ({msg}) ; les gares sont proposées à la place.",
    ),
    "addresses_missing": (
        "Address search unavailable: {msg}",
        "Adres zoeken niet beschikbaar: {msg}",
        "Recherche d'adresse indisponible : {msg}",
    ),
    "share_hint": (
        "The page address (URL) holds every choice: copy it to share this view.",
        "Het paginaadres (URL) bevat elke keuze: kopieer het om deze weergave te delen.",
        "L'adresse de la page (URL) contient tous les choix : copiez-la pour partager cette vue.",
    ),
    # table columns
    "col_rank": ("Rank", "Rang", "Rang"),
    "col_name": ("Neighbourhood", "Wijk", "Quartier"),
    "col_municipality": ("Municipality", "Gemeente", "Commune"),
    "col_minutes_1": ("Minutes (1)", "Minuten (1)", "Minutes (1)"),
    "col_minutes_2": ("Minutes (2)", "Minuten (2)", "Minutes (2)"),
    "col_p10_1": ("10th pct min (1)", "10e pct min (1)", "10e centile min (1)"),
    "col_p90_1": ("90th pct min (1)", "90e pct min (1)", "90e centile min (1)"),
    "col_p10_2": ("10th pct min (2)", "10e pct min (2)", "10e centile min (2)"),
    "col_p90_2": ("90th pct min (2)", "90e pct min (2)", "90e centile min (2)"),
    "col_spread_1": ("Train (1)", "Trein (1)", "Train (1)"),
    "col_spread_2": ("Train (2)", "Trein (2)", "Train (2)"),
    "col_estimated": ("Estimated", "Geschat", "Estimé"),
    "col_method": ("Computed by", "Berekend via", "Calculé par"),
    "col_schools": ("Matching schools", "Passende scholen", "Écoles correspondantes"),
    "col_schools_all": ("Schools (all)", "Scholen (alle)", "Écoles (toutes)"),
    "col_international": (
        "International schools",
        "Internationale scholen",
        "Écoles internationales",
    ),
    "col_childcare": ("Matching childcare", "Passende opvang", "Accueil correspondant"),
    "col_childcare_all": ("Childcare (all)", "Kinderopvang (alle)", "Accueil (tous)"),
    "col_childcare_coverage": ("Childcare data", "Opvangdata", "Données d'accueil"),
    "col_over_budget": (
        "Median above budget",
        "Mediaan boven budget",
        "Médiane au-dessus du budget",
    ),
    "col_price": ("Median price (EUR)", "Mediaanprijs (EUR)", "Prix médian (EUR)"),
    "col_stations": ("Stations", "Stations", "Gares"),
    "col_bus_stops": ("Bus stops", "Bushaltes", "Arrêts de bus"),
    # point popups: field labels
    "field_name": ("Name", "Naam", "Nom"),
    "field_site_schools": (
        "Schools at this address",
        "Scholen op dit adres",
        "Écoles à cette adresse",
    ),
    "field_levels": ("Levels", "Niveaus", "Niveaux"),
    "field_net": ("Network", "Net", "Réseau"),
    "field_language": ("Language", "Taal", "Langue"),
    "field_address": ("Address", "Adres", "Adresse"),
    "field_category": ("Category", "Categorie", "Catégorie"),
    "field_coverage": ("Coverage", "Dekking", "Couverture"),
    "field_type": ("Type", "Type", "Type"),
    "field_curriculum": ("Curriculum", "Leerplan", "Programme"),
    "field_coord_quality": ("Location quality", "Kwaliteit locatie", "Qualité de la position"),
    "field_name_nl": ("Name (Dutch)", "Naam (Nederlands)", "Nom (néerlandais)"),
    "field_name_fr": ("Name (French)", "Naam (Frans)", "Nom (français)"),
    "field_trains_per_weekday": (
        "Trains per weekday ({year})",
        "Treinen per weekdag ({year})",
        "Trains par jour ouvrable ({year})",
    ),
    "field_lines": ("Lines", "Lijnen", "Lignes"),
    # point popups and table: values
    "coverage_partial": (
        "partial: OpenStreetMap, central Leuven only",
        "gedeeltelijk: OpenStreetMap, enkel centraal Leuven",
        "partiel : OpenStreetMap, centre de Louvain seulement",
    ),
    "coverage_none": (
        "unknown: outside the area the OpenStreetMap extract maps",
        "onbekend: buiten het gebied dat het OpenStreetMap-uittreksel in kaart brengt",
        "inconnu : hors de la zone cartographiée par l'extrait OpenStreetMap",
    ),
    "coverage_complete": ("complete", "volledig", "complet"),
    "cc_groepsopvang_0_3": (
        "Group day care, 0-3 (crèche)",
        "Groepsopvang 0-3 (kinderdagverblijf)",
        "Accueil en groupe 0-3 (crèche)",
    ),
    "cc_gezinsopvang_0_3": (
        "Family day care, 0-3 (childminder)",
        "Gezinsopvang 0-3 (onthaalouder)",
        "Accueil familial 0-3 (accueillant·e)",
    ),
    "cc_buitenschoolse_opvang": (
        "Before/after-school care",
        "Buitenschoolse opvang",
        "Accueil extrascolaire",
    ),
    "cc_kinderopvang_0_3_unknown_type": (
        "Care for 0-3, type unknown",
        "Opvang 0-3, type onbekend",
        "Accueil 0-3, type inconnu",
    ),
    "cc_kinderopvang_unknown_type": (
        "Childcare, type and age unknown",
        "Kinderopvang, type en leeftijd onbekend",
        "Accueil, type et âge inconnus",
    ),
    "cc_kindergarten_tag_unclear": (
        "Crèche or nursery school (unclear)",
        "Kinderdagverblijf of kleuterschool (onduidelijk)",
        "Crèche ou école maternelle (incertain)",
    ),
    "method_network": ("street network", "stratennet", "réseau routier"),
    "method_regional": ("regional network", "regionaal netwerk", "réseau régional"),
    "method_straight": (
        "estimated: network to the edge of its coverage, then straight line x detour",
        "geschat: netwerk tot de rand van zijn dekking, daarna vogelvlucht x omweg",
        "estimé : réseau jusqu'au bord de sa couverture, puis vol d'oiseau x détour",
    ),
    "method_outside": ("outside coverage", "buiten dekking", "hors couverture"),
    "method_walk": ("walk", "te voet", "à pied"),
    "method_bus": (
        "walk + bus (estimated)",
        "te voet + bus (geschat)",
        "à pied + bus (estimé)",
    ),
    "method_direct": (
        "direct (faster than any train)",
        "rechtstreeks (sneller dan elke trein)",
        "direct (plus rapide que tout train)",
    ),
    "method_train": ("train timetable", "treindienstregeling", "horaire des trains"),
    "source_neighbourhoods": (
        "Provincies in Cijfers (neighbourhoods); Statbel (prices)",
        "Provincies in Cijfers (wijken); Statbel (prijzen)",
        "Provincies in Cijfers (quartiers) ; Statbel (prix)",
    ),
    "source_international": (
        "curated list; see Data & sources",
        "samengestelde lijst; zie Data & bronnen",
        "liste établie à la main ; voir Données & sources",
    ),
    "source_childcare": (
        "OpenStreetMap {year} (partial)",
        "OpenStreetMap {year} (gedeeltelijk)",
        "OpenStreetMap {year} (partiel)",
    ),
    # map
    "layer_neighbourhoods": ("Neighbourhoods", "Wijken", "Quartiers"),
    "layer_schools": ("Schools ({year})", "Scholen ({year})", "Écoles ({year})"),
    "layer_international": (
        "International schools",
        "Internationale scholen",
        "Écoles internationales",
    ),
    "layer_childcare": (
        "Childcare (partial: OSM, central Leuven)",
        "Kinderopvang (gedeeltelijk: OSM, centraal Leuven)",
        "Accueil d'enfants (partiel : OSM, centre de Louvain)",
    ),
    "layer_stations": (
        "Railway stations ({year})",
        "Treinstations ({year})",
        "Gares ({year})",
    ),
    "layer_bus_stops": (
        "Bus stops (De Lijn {year}; lines: OSM, central Leuven)",
        "Bushaltes (De Lijn {year}; lijnen: OSM, centraal Leuven)",
        "Arrêts de bus (De Lijn {year} ; lignes : OSM, centre de Louvain)",
    ),
    "layer_workplaces": ("Workplaces", "Werkplekken", "Lieux de travail"),
    "layer_isochrones": (
        "Isochrones to workplace 1 ({mode}, street network of Leuven)",
        "Isochronen naar werkplek 1 ({mode}, stratennet van Leuven)",
        "Isochrones vers le lieu de travail 1 ({mode}, réseau de Louvain)",
    ),
    "isochrone_band": (
        "within {m} min ({mode}, network)",
        "binnen {m} min ({mode}, netwerk)",
        "en {m} min ({mode}, réseau)",
    ),
    "legend_minutes": (
        "Commute (worst of both, min)",
        "Pendel (slechtste, min)",
        "Trajet (pire, min)",
    ),
    "legend_price": ("Median price (EUR)", "Mediaanprijs (EUR)", "Prix médian (EUR)"),
    "legend_estimated": (
        "dashed outline = estimated time",
        "stippellijn = geschatte tijd",
        "contour en tirets = temps estimé",
    ),
    "source": ("Source", "Bron", "Source"),
    "popup_time_1": ("To workplace 1", "Naar werkplek 1", "Vers lieu de travail 1"),
    "popup_time_2": ("To workplace 2", "Naar werkplek 2", "Vers lieu de travail 2"),
    "beyond_limit": ("more than {m} min", "meer dan {m} min", "plus de {m} min"),
    "estimated_word": ("estimated", "geschat", "estimé"),
    # other pages
    "neighbourhoods_intro": (
        "Profile of every neighbourhood (wijk): schools, childcare, stations, bus stops and "
        "the municipality's median prices. Sort or filter the table; the Explore page adds "
        "commute times.",
        "Profiel van elke wijk: scholen, kinderopvang, stations, bushaltes en de mediaanprijzen "
        "van de gemeente. Sorteer of filter de tabel; de pagina Verkennen voegt pendeltijden toe.",
        "Profil de chaque quartier : écoles, accueil d'enfants, gares, arrêts de bus et prix "
        "médians de la commune. Triez ou filtrez le tableau ; la page Explorer ajoute les trajets.",
    ),
    "municipality_filter": ("Municipalities", "Gemeenten", "Communes"),
    "sources_intro": (
        "Every layer of the committed snapshot with its source, data date, licence, coverage "
        "and known gaps, read from the manifests written by the ETL.",
        "Elke laag van de momentopname met bron, datum, licentie, dekking en bekende leemten, "
        "gelezen uit de manifesten van de ETL.",
        "Chaque couche de l'instantané avec sa source, sa date, sa licence, sa couverture et "
        "ses lacunes connues, lues dans les manifestes de l'ETL.",
    ),
    # layer titles on the Data & sources page (key: manifest name, ':' as '_')
    "title_municipalities": ("Municipalities", "Gemeenten", "Communes"),
    "title_deelgemeenten": (
        "Former municipalities (deelgemeenten)",
        "Deelgemeenten",
        "Anciennes communes (deelgemeenten)",
    ),
    "title_wijken": ("Neighbourhoods (wijken)", "Wijken", "Quartiers (wijken)"),
    "title_schools": (
        "Schools (official list)",
        "Scholen (officiële lijst)",
        "Écoles (liste officielle)",
    ),
    "title_international_schools": (
        "International and foreign-curriculum schools (curated)",
        "Internationale scholen en scholen met buitenlands leerplan (samengesteld)",
        "Écoles internationales et à programme étranger (liste établie)",
    ),
    "title_childcare": (
        "Childcare locations",
        "Kinderopvanglocaties",
        "Lieux d'accueil d'enfants",
    ),
    "title_stations": ("Railway stations", "Treinstations", "Gares"),
    "title_bus_stops": (
        "Bus and tram stops (De Lijn)",
        "Bus- en tramhaltes (De Lijn)",
        "Arrêts de bus et de tram (De Lijn)",
    ),
    "title_rail_timetable": (
        "Rail timetable of one week",
        "Treindienstregeling van één week",
        "Horaire ferroviaire d'une semaine",
    ),
    "title_bus_routes": (
        "Bus lines with stop order (estimated frequencies)",
        "Buslijnen met haltevolgorde (geschatte frequenties)",
        "Lignes de bus avec ordre des arrêts (fréquences estimées)",
    ),
    "title_housing_prices": (
        "Median sale prices per municipality",
        "Mediane verkoopprijzen per gemeente",
        "Prix de vente médians par commune",
    ),
    "title_housing_summary": (
        "Housing market summary per municipality",
        "Samenvatting woningmarkt per gemeente",
        "Résumé du marché du logement par commune",
    ),
    "title_population": (
        "Population and households per municipality",
        "Bevolking en huishoudens per gemeente",
        "Population et ménages par commune",
    ),
    "title_sector_population": (
        "Population per statistical sector",
        "Bevolking per statistische sector",
        "Population par secteur statistique",
    ),
    "title_neighbourhoods": (
        "Neighbourhood profiles (wijken)",
        "Wijkprofielen",
        "Profils des quartiers (wijken)",
    ),
    "title_addresses": (
        "Address search index",
        "Adresindex voor zoeken",
        "Index de recherche d'adresses",
    ),
    "title_adult_education": (
        "Adult-education centres (possible Dutch courses: ask the centre)",
        "Centra voor volwassenenonderwijs (misschien lessen Nederlands: vraag het aan het centrum)",
        "Centres d'enseignement pour adultes (cours de néerlandais possibles : demandez au centre)",
    ),
    "title_accessibility": (
        "Accessibility of neighbourhoods (street modes)",
        "Bereikbaarheid van wijken (te voet, fiets, auto)",
        "Accessibilité des quartiers (à pied, vélo, voiture)",
    ),
    "title_workplaces": (
        "Workplace presets",
        "Voorkeuzes werkplekken",
        "Présélections de lieux de travail",
    ),
    # {covered}, {partly}, {area}: the graph manifest's extra.coverage_municipalities
    "title_graph_walk": (
        "Walk network (OpenStreetMap: {covered} in full, {partly} in part; {area} km²)",
        "Wandelnetwerk (OpenStreetMap: {covered} volledig, {partly} gedeeltelijk; {area} km²)",
        "Réseau piéton (OpenStreetMap : {covered} en entier, {partly} en partie ; {area} km²)",
    ),
    "title_graph_bike": (
        "Bike network (OpenStreetMap: {covered} in full, {partly} in part; {area} km²)",
        "Fietsnetwerk (OpenStreetMap: {covered} volledig, {partly} gedeeltelijk; {area} km²)",
        "Réseau cyclable (OpenStreetMap : {covered} en entier, {partly} en partie ; {area} km²)",
    ),
    "title_graph_car": (
        "Car network (OpenStreetMap: {covered} in full, {partly} in part; {area} km²)",
        "Autonetwerk (OpenStreetMap: {covered} volledig, {partly} gedeeltelijk; {area} km²)",
        "Réseau routier (OpenStreetMap : {covered} en entier, {partly} en partie ; {area} km²)",
    ),
    "municipality_count_1": ("1 municipality", "1 gemeente", "1 commune"),
    "municipality_count_n": ("{n} municipalities", "{n} gemeenten", "{n} communes"),
    "municipality_count_0": ("no municipality", "geen enkele gemeente", "aucune commune"),
    "title_graph_strategic_car": (
        "Regional car network (strategic model, KU Leuven)",
        "Regionaal autonetwerk (strategisch model, KU Leuven)",
        "Réseau routier régional (modèle stratégique, KU Leuven)",
    ),
    "known_gaps": ("Known gaps", "Bekende leemten", "Lacunes connues"),
    "layer_details": ("Details per layer", "Details per laag", "Détails par couche"),
    "not_mapped": (
        "Listed but not on the map",
        "Vermeld maar niet op de kaart",
        "Listés mais absents de la carte",
    ),
    "col_layer": ("Layer", "Laag", "Couche"),
    "col_rows": ("Rows", "Rijen", "Lignes"),
    "col_date": ("Data date", "Datum data", "Date des données"),
    "col_source": ("Source", "Bron", "Source"),
    "col_licence": ("Licence", "Licentie", "Licence"),
    "col_coverage": ("Coverage", "Dekking", "Couverture"),
    "col_url": ("URL", "URL", "URL"),
    "gap_childcare": (
        "Childcare: offline only the {osm} OpenStreetMap objects of central Leuven; Flanders "
        "and Brussels have {locations} licensed locations ({date}).",
        "Kinderopvang: offline enkel de {osm} OpenStreetMap-objecten van centraal Leuven; "
        "Vlaanderen en Brussel tellen {locations} vergunde locaties ({date}).",
        "Accueil d'enfants : hors ligne, seulement les {osm} objets OpenStreetMap du centre de "
        "Louvain ; la Flandre et Bruxelles comptent {locations} lieux agréés ({date}).",
    ),
    "gap_buses": (
        "Buses: stops for the whole region ({year}); lines only for central Leuven; no bus "
        "timetable.",
        "Bussen: haltes voor de hele regio ({year}); lijnen enkel voor centraal Leuven; geen "
        "dienstregeling.",
        "Bus : arrêts de toute la région ({year}) ; lignes seulement pour le centre de Louvain ; "
        "pas d'horaires.",
    ),
    "gap_streets": (
        "Street network: the walk, bike and car graphs cover {area} km² ({covered} in full, "
        "{partly} in part, of the {region} region municipalities); beyond that area a trip runs "
        "on the network to its edge and the rest is estimated (car: also the regional model "
        "network).",
        "Stratennet: de wandel-, fiets- en autograaf dekken {area} km² ({covered} volledig, "
        "{partly} gedeeltelijk, van de {region} gemeenten van de regio); daarbuiten loopt een "
        "rit over het netwerk tot de rand van dat gebied en wordt de rest geschat (auto: ook "
        "het regionale modelnetwerk).",
        "Réseau routier : les graphes marche, vélo et voiture couvrent {area} km² ({covered} "
        "en entier, {partly} en partie, sur les {region} communes de la région) ; au-delà, un "
        "trajet suit le réseau jusqu'au bord de cette zone et le reste est estimé (voiture : "
        "aussi le réseau régional modélisé).",
    ),
    "gap_population": (
        "Population per neighbourhood only for the {n} of {total} neighbourhoods (wijken) "
        "covered by statistical sectors with a population figure; {mapped} of {total} wijken "
        "have statistical sectors mapped to them by verified rules; no rents, no population "
        "by age.",
        "Bevolking per wijk enkel voor de {n} van {total} wijken gedekt door statistische "
        "sectoren met een bevolkingscijfer; {mapped} van {total} wijken hebben statistische "
        "sectoren die er via geverifieerde regels aan gekoppeld zijn; geen huurprijzen, geen "
        "leeftijden.",
        "Population par quartier seulement pour {n} des {total} quartiers couverts par des "
        "secteurs statistiques avec une population ; {mapped} des {total} quartiers ont des "
        "secteurs statistiques rattachés par des règles vérifiées ; ni loyers ni âges.",
    ),
}


def _merged(*tables: dict[str, tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    """Merge translation tables; a key defined twice is a programming error."""
    merged: dict[str, tuple[str, str, str]] = {}
    for table in tables:
        clash = sorted(merged.keys() & table.keys())
        if clash:
            raise ValueError(f"translation keys defined twice: {', '.join(clash)}")
        merged.update(table)
    return merged


_TABLE: Final[dict[str, tuple[str, str, str]]] = _merged(_CORE, *FEATURE_TABLES)
_INDEX: Final[dict[str, int]] = {"en": 0, "nl": 1, "fr": 2}
_PLACEHOLDER: Final = re.compile(r"\{(\w*)\}")


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return the interface text ``key`` in ``lang``, formatted with ``values``.

    Parameters
    ----------
    key : str
        A key of the translation table.
    lang : str
        ``"en"``, ``"nl"`` or ``"fr"``; anything else falls back to English.
    **values
        Placeholders of the text (``{n}``, ``{who}``...).

    Returns
    -------
    str
        The text; the key itself when it is unknown.
    """
    row = _TABLE.get(key)
    if row is None:
        return key
    text = row[_INDEX.get(lang, 0)] or row[0]
    return text.format(**values) if values else text


def t_markdown(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return :func:`t` for a Markdown element, with every value shown as plain text.

    Streamlit renders ``st.error``, ``st.warning``, ``st.caption``, ``st.markdown`` and
    ``st.write`` as Markdown, so a value from a shared link, from the data or from an
    exception (``[click](https://evil.example)``, ``![x](...)``) would become a live link
    or an image fetch.  Each value goes through :func:`dashboard.escaping.markdown_text`;
    the interface text around it stays Markdown.  Use it for every message with a value
    the app did not compute itself.
    """
    return t(key, lang, **{name: markdown_text(str(v)) for name, v in values.items()})


def keys() -> list[str]:
    """Return every key of the table (for tests)."""
    return list(_TABLE)


def has_key(key: str) -> bool:
    """Return True when ``key`` is in the table (for optional, data-driven keys)."""
    return key in _TABLE


def missing_translations() -> dict[str, list[str]]:
    """Return ``{key: [languages]}`` for every key whose text is missing or blank.

    :func:`t` falls back to English at run time so a gap never breaks a page; this
    reports the gaps instead (a row shorter than the languages counts as missing too).
    """
    gaps: dict[str, list[str]] = {}
    for key, row in _TABLE.items():
        lacking = [lang for lang, i in _INDEX.items() if i >= len(row) or not str(row[i]).strip()]
        if lacking:
            gaps[key] = lacking
    return gaps


def placeholder_mismatches() -> dict[str, list[set[str]]]:
    """Return the keys whose languages do not share the same ``{placeholders}``."""
    out: dict[str, list[set[str]]] = {}
    for key, row in _TABLE.items():
        names = [set(_PLACEHOLDER.findall(text)) for text in row]
        if any(n != names[0] for n in names):
            out[key] = names
    return out


#: Thousands separator per language (NL and FR as in Belgian prices: € 455.000).
_THOUSANDS: Final[dict[str, str]] = {"en": ",", "nl": ".", "fr": "."}


def format_number(value: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a whole number with the language's thousands separator (5,389 / 5.389)."""
    text = f"{round(float(value)):,d}"
    return text.replace(",", _THOUSANDS.get(lang, ","))


def format_eur(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a price in whole euros as the language writes it; ``""`` when unknown.

    English ``€455,000``; Dutch and French ``€ 455.000``.
    """
    if value is None or value != value:  # None or NaN: no price published
        return ""
    number = format_number(value, lang)
    return f"€{number}" if lang == "en" else f"€ {number}"
