/**
 * Common given names in France (accents removed, lower case), for telling a person's address
 * (`marie.dupont@`, `jeanmarc@`) from a role or business one. Not exhaustive: a name missing here
 * still counts through the `p.nom@` / `prenom.nom@` shapes.
 */
const NAMES = `
aaron adam adele adeline adrien agathe agnes alain alan albert alex alexandra alexandre alexia alexis alfred alice alicia
aline alix amandine amaury ambre amelie anaelle anais andre andrea angela angelique anne annabelle annick annie anthony
antoine antonin apolline arnaud arthur audrey augustin aurelie aurelien axel axelle baptiste barbara basile bastien beatrice
benedicte benjamin benoit bernadette bernard bertrand blandine bruno camille capucine carine carole caroline catherine cecile
celine chantal charles charlotte chloe christelle christian christine christophe claire clara clarisse claude clement
clementine colette coralie corentin corinne cyril cyrille damien daniel danielle david delphine denis denise diana diane
didier dominique dorian dylan edith edouard eleonore elias elisa elisabeth elise eliott ella elodie eloise elsa emile emilie
emma emmanuel emmanuelle enzo eric estelle ethan etienne eugenie eva evelyne fabien fabienne fabrice fanny felix fernand
flavie florence florent florian francine francis franck francois francoise frederic frederique gabriel gabrielle gael gaelle
gaetan gauthier genevieve georges gerald gerard germain gilbert gilles gisele gregoire gregory guillaume guy gwenaelle
helene henri herve hugo hugues ines ingrid irene isabelle jacqueline jacques jade jean jeanne jeremie jeremy jerome jessica
joel joelle jonathan jordan joseph josephine josiane jules julia julie julien juliette justine karine kevin laetitia
laura laure laurence laurent lea lea leandre leo leon leonie lilian liliane lina lionel lisa loic lola lou louis louise luc
lucas lucie lucien lucile ludivine ludovic lukas lydie madeleine maelle maeva manon marc marcel marguerite maria marianne
marie marielle marine marion marius marjorie marlene marthe martin martine mathieu mathilde mathis matteo matthieu maud
maurice maxence maxime melanie melissa michel michele mickael milan monique morgane muriel mylene nadege nadia nadine
natacha nathalie nathan nicolas nicole noah noemie noel noelle oceane odile olivia olivier oscar pascal pascale patricia
patrice patrick paul paula pauline perrine philippe pierre quentin rachel raphael raphaelle raymond regis remi renaud rene
richard robert robin rodolphe roger romain romane rose ruben sabine sabrina sacha salome samuel sandra sandrine sarah
sebastien serge severine simon simone solene sophie stephane stephanie sylvain sylvie tanguy theo theophile therese thibault
thibaut thierry thomas timothee tom tristan valentin valentine valerie vanessa victor victoire vincent violette virginie
vivien viviane xavier yann yannick yoann yohan youssef yves yvette yvonne zoe
`

export const FIRST_NAMES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((name) => name !== ""))
