// Package people is the station's officers: the rules an officer record
// keeps on every write path (a badge in the form sign-in looks it up by,
// an E.164 phone, a community for every community officer).
package people
